// The one Boost.Test main of every test executable (dynamic Boost.Test).
#define BOOST_TEST_MODULE chime_cpp
#include <boost/test/unit_test.hpp>
