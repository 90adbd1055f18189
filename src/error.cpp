#include <chime/error.hpp>

namespace chime {
namespace {

class client_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "chime"; }

    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::no_credentials:
            return "no AWS credentials found";
        case errc::partial_credentials:
            return "incomplete AWS credentials";
        case errc::unsupported_credential_source:
            return "unsupported credential source";
        case errc::profile_not_found:
            return "the config profile could not be found";
        case errc::invalid_config_file:
            return "malformed AWS shared config or credentials file";
        case errc::invalid_config_value:
            return "invalid AWS configuration value";
        case errc::credentials_expired:
            return "the AWS credentials have expired";
        }
        return "unknown chime error " + std::to_string(ev);
    }
};

} // namespace

const boost::system::error_category& client_category() noexcept {
    static const client_category_impl instance;
    return instance;
}

} // namespace chime
