// SigV4 unit tests beyond AWS's suite: the messaging-session presign vector, encoding, argument errors
// and the signing-key cache.

#include <chime/auth/sigv4.hpp>
#include <chime/uri_encoding.hpp>

#include <boost/test/unit_test.hpp>

#include <cctype>
#include <cstdio>
#include <string>

using namespace chime;
using namespace std::chrono;

namespace {

const auth::credentials example_creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, ""};

system_clock::time_point at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
    return sys_days{year{y} / mo / d} + hours{h} + minutes{mi} + seconds{s};
}

} // namespace

BOOST_AUTO_TEST_SUITE(sigv4)

// ../shared/docs/messaging-session.md §1.5: produced by amazon-chime-sdk-js's DefaultSigV4.
BOOST_AUTO_TEST_CASE(messaging_session_presign_vector) {
    auth::credentials creds = example_creds;
    creds.session_token = "IQoJb3JpZ2luX2VjEXAMPLE+/token==";
    const std::string user =
        "arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-3333-4444-555555555555/user/user-1";
    const auth::header_field host{"host", "node001.ue1.ws-messaging.chime.aws"};
    const auth::signing_params params{
        .region = "us-east-1", .service = "chime", .time = at(2024, 1, 2, 3, 4, 5), .expires = seconds(10)};

    std::string query = "userArn=" + uri_encode(user) +
                        "&sessionId=1234567890&prefetch-on=connect&prefetch-sort-by=unread"
                        "&X-Amzn-Version=3.32.0&X-Amzn-User-Agent=chrome-120";
    const auth::signable_request full{
        .method = "GET", .path = "/connect", .query = query, .headers = {&host, 1}};
    const auto signed_full = auth::signer{}.presign(full, creds, params);
    BOOST_TEST(signed_full.signature == "f46efdc4edfd4612b3f6f8695af28fdcad07ead5d73162d177c842ad1430f462");
    BOOST_TEST(signed_full.string_to_sign.ends_with(
        "047dfdc9a9be07a195552ab463a2f753f4622da7a8f0758545ad8b9f60aa2fe5"));
    BOOST_TEST(signed_full.query.ends_with("&X-Amz-Signature=" + signed_full.signature));

    query = "userArn=" + uri_encode(user) + "&sessionId=1234567890";
    const auth::signable_request minimal{
        .method = "GET", .path = "/connect", .query = query, .headers = {&host, 1}};
    BOOST_TEST(auth::signer{}.presign(minimal, creds, params).signature ==
               "859ecd35f46cda9dc6e794395198ffe5270161a8be5c446fb67a987f1f717e2c");
}

BOOST_AUTO_TEST_CASE(uri_encoding) {
    BOOST_TEST(uri_encode("arn:aws:chime:us-east-1:1:app-instance/a") ==
               "arn%3Aaws%3Achime%3Aus-east-1%3A1%3Aapp-instance%2Fa");
    BOOST_TEST(uri_encode("a+b=c d~_.-") == "a%2Bb%3Dc%20d~_.-");
    BOOST_TEST(uri_encode("\xE2\x9C\x93") == "%E2%9C%93");
    BOOST_TEST(uri_encode("a/b c", true) == "a/b%20c");
    BOOST_TEST(uri_encode("") == "");
    BOOST_TEST(uri_encode(":") == "%3A");
    BOOST_TEST(uri_encode("::") == "%3A%3A");
    BOOST_TEST(uri_encode("ab:") == "ab%3A"); // an escape last: the output's slack is trimmed exactly
    BOOST_TEST(uri_encode("a%3Ab") == "a%253Ab"); // SigV4's second encoding of an encoded path
    std::string appended = "prefix/";
    append_uri_encoded(appended, "x y");
    append_uri_encoded(appended, "plain");
    BOOST_TEST(appended == "prefix/x%20yplain");
    // Every byte value, against the rule itself: unreserved bytes as they are, the rest as %XX.
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        const bool unreserved = std::isalnum(b) || c == '-' || c == '_' || c == '.' || c == '~';
        char escaped[4];
        std::snprintf(escaped, sizeof escaped, "%%%02X", b);
        const std::string in = std::string("a") + c + "b";
        BOOST_TEST(uri_encode(in) == "a" + (unreserved ? std::string(1, c) : std::string(escaped)) + "b", "byte " << b);
    }
    BOOST_TEST(uri_decode("a%2Bb%3d+c%") == "a+b=+c%");
    BOOST_TEST(uri_decode("%zz%4") == "%zz%4");
}

BOOST_AUTO_TEST_CASE(amz_date_and_payload_hash) {
    BOOST_TEST(auth::format_amz_date(at(2015, 8, 30, 12, 36, 0)) == "20150830T123600Z");
    BOOST_TEST(auth::format_amz_date(at(2024, 2, 29, 23, 59, 59) + milliseconds(999)) == "20240229T235959Z");
    BOOST_TEST(auth::payload_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(auth::payload_hash("Param1=value1") ==
               "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
}

BOOST_AUTO_TEST_CASE(rejects_bad_input_with_clear_errors) {
    const auth::signer signer;
    const auth::signing_params params{
        .region = "us-east-1", .service = "chime", .time = at(2024, 1, 1, 0, 0, 0)};
    auto message_of = [](auto&& f) -> std::string {
        try {
            f();
        } catch (const std::invalid_argument& e) {
            return e.what();
        }
        return "no exception";
    };
    const auth::header_field no_host{"content-type", "application/json"};
    BOOST_TEST(message_of([&] {
                   signer.sign({.headers = {&no_host, 1}}, example_creds, params);
               }).find("no Host") != std::string::npos);

    const auth::header_field with_date[] = {{"Host", "h"}, {"X-Amz-Date", "20240101T000000Z"}};
    BOOST_TEST(message_of([&] {
                   signer.sign({.headers = with_date}, example_creds, params);
               }).find("X-Amz-Date") != std::string::npos);

    const auth::header_field host{"host", "h"};
    auto long_params = params;
    long_params.expires = seconds(604801);
    BOOST_TEST(message_of([&] {
                   signer.presign({.headers = {&host, 1}}, example_creds, long_params);
               }).find("604801") != std::string::npos);
    auto no_region = params;
    no_region.region = "";
    BOOST_TEST(message_of([&] {
                   signer.sign({.headers = {&host, 1}}, example_creds, no_region);
               }).find("region") != std::string::npos);
    auth::credentials no_secret = example_creds;
    no_secret.secret_access_key.clear();
    BOOST_TEST(message_of([&] {
                   signer.sign({.headers = {&host, 1}}, no_secret, params);
               }).find("secret") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(key_cache_distinguishes_every_input) {
    // One signer, many keys: a cache keyed too loosely would reuse a wrong key.
    const auth::signer cached;
    const auth::header_field host{"host", "example.amazonaws.com"};
    const auth::signable_request req{.headers = {&host, 1}};
    auth::credentials other_secret = example_creds;
    other_secret.secret_access_key += "2";
    for (int round = 0; round < 2; ++round) {
        for (const auth::credentials* creds :
             std::initializer_list<const auth::credentials*>{&example_creds, &other_secret}) {
            for (const char* region : {"us-east-1", "eu-west-1"}) {
                for (int day : {1, 2}) {
                    const auth::signing_params p{.region = region,
                                                 .service = "chime",
                                                 .time = at(2024, 1, static_cast<unsigned>(day), 0, 0, 0)};
                    BOOST_TEST(cached.sign(req, *creds, p).signature ==
                               auth::signer{}.sign(req, *creds, p).signature);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(white_space_in_values_is_folded_wherever_it_falls) {
    // A value with white space anywhere (first, last, inside an eight-byte block or in the tail) signs as
    // its trimmed, single-spaced form; one without signs as it is.
    const auth::signing_params p{.region = "us-east-1", .service = "chime", .time = at(2024, 1, 1, 0, 0, 0)};
    const auto signature_with = [&](const std::string& value) {
        const auth::header_field headers[] = {{"host", "h"}, {"x-v", value}};
        return auth::signer{}.sign({.headers = headers}, example_creds, p).signature;
    };
    const std::string plain(21, 'a');
    for (std::size_t at_ = 0; at_ < plain.size(); ++at_) {
        for (const char* space : {" ", "\t", "  ", " \t\n"}) {
            std::string spaced = plain;
            spaced.insert(at_, space);
            std::string folded = plain;
            if (at_ > 0) // inside: one space; at the front: trimmed away
                folded.insert(at_, " ");
            BOOST_TEST(signature_with(spaced) == signature_with(folded), "white space at " << at_);
            BOOST_TEST(signature_with(spaced) != signature_with(plain + "b"));
        }
        std::string control = plain;
        control[at_] = '\x01'; // a low byte that is not white space stays as it is
        BOOST_TEST(signature_with(control) != signature_with(plain));
    }
    BOOST_TEST(signature_with(plain + " ") == signature_with(plain)); // trailing space trimmed
}

BOOST_AUTO_TEST_CASE(unsignable_headers_are_left_out) {
    const auth::header_field headers[] = {
        {"Host", "h"},
        {"User-Agent", "chime-cpp"},
        {"Connection", "keep-alive"},
        {"proxy-authorization", "x"},
        {"x-amz-chime-bearer", "arn:aws:chime:us-east-1:1:app-instance/a/user/b"}};
    const auth::signing_params p{.region = "us-east-1", .service = "chime", .time = at(2024, 1, 1, 0, 0, 0)};
    const auto s = auth::signer{}.sign({.headers = headers}, example_creds, p);
    BOOST_TEST(s.authorization.find("SignedHeaders=host;x-amz-chime-bearer;x-amz-date,") !=
               std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
