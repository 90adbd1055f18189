# Warning flags shared by every target of the project (not exported to consumers).
# -Wno-missing-field-initializers: g++ 12 warns on designated initializers that leave members to
#   their defaults, which is exactly how the library's option and request aggregates are meant to be used.
# -Wno-mismatched-new-delete (g++ only): g++ 12 reports coroutine frames allocated through Asio's
#   awaitable_frame_base operator new as mismatched (a false positive, GCC bug 109224).
add_library(chime_warnings INTERFACE)
target_compile_options(chime_warnings INTERFACE -Wall -Wextra -Wpedantic
    $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local -Wno-mismatched-new-delete>
    $<$<CXX_COMPILER_ID:Clang>:-Wshadow-uncaptured-local>
    -Wno-missing-field-initializers $<$<BOOL:${CHIME_WERROR}>:-Werror>)
