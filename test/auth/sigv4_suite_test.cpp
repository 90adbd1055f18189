// AWS's SigV4 test suite, every applicable case, both layouts (test/data/sigv4/README.md).
//
// aws-c-auth v4 (38 cases): header and presigned-query signing; compares canonical request, string to
// sign, signature and signed request. The `*-unnormalized` cases are S3-style paths: they are run
// with path normalization off (the aws-c-auth harness still double-encodes them), which exercises
// `signing_params::normalize_path = false`; no Chime request is signed that way.
// botocore classic (34 cases): header signing; compares canonical request, string to sign,
// Authorization and signed request.
//
// Not applicable, not run:
// - v4a (asymmetric SigV4, ECDSA P-256): no Chime endpoint uses it.
// - classic `normalize-path/get-space`: its request line has a bare space that cannot be told apart
//   from the separator before "HTTP/1.1" (botocore skips it too); aws-c-auth's get-space-normalized
//   covers the same path.

#include "support/test_support.hpp"

#include <chime/auth/sigv4.hpp>
#include <chime/uri_encoding.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace fs = std::filesystem;
namespace bdata = boost::unit_test::data;
using namespace chime;

namespace {

struct raw_request {
    std::string method, path, query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

// Parses the suite's request.txt: request line, "Name:value" headers (indented lines continue the
// previous header), blank line, body.
raw_request parse_request(const std::string& text) {
    raw_request r;
    std::vector<std::string> lines;
    std::size_t pos = 0, body_at = std::string::npos;
    while (pos <= text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string::npos)
            eol = text.size();
        std::string line = text.substr(pos, eol - pos);
        pos = eol + 1;
        if (line.empty() && !lines.empty()) {
            body_at = pos;
            break;
        }
        lines.push_back(line);
    }
    if (body_at != std::string::npos && body_at < text.size())
        r.body = text.substr(body_at);
    const std::string& rl = lines.at(0);
    const std::size_t first = rl.find(' '), last = rl.rfind(' ');
    r.method = rl.substr(0, first);
    const std::string target = rl.substr(first + 1, last - first - 1);
    const std::size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos)
        r.query = target.substr(q + 1);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string& l = lines[i];
        if (!l.empty() && (l[0] == ' ' || l[0] == '\t')) {
            r.headers.back().second += "\n" + l;
            continue;
        }
        const std::size_t colon = l.find(':');
        r.headers.emplace_back(l.substr(0, colon), l.substr(colon + 1));
    }
    return r;
}

std::string strip_trailing_newlines(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
    return s;
}

std::chrono::system_clock::time_point suite_time() {
    using namespace std::chrono;
    return sys_days{year{2015} / 8 / 30} + hours{12} + minutes{36};
}

std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// A signed request compared as: request line, the set of header lines (HTTP does not order them
// meaningfully and the suite's order is an artefact of each harness), body.
struct signed_request_view {
    std::string request_line;
    std::multiset<std::string> headers;
    std::string body;
    bool operator==(const signed_request_view&) const = default;
};

std::ostream& operator<<(std::ostream& os, const signed_request_view& v) {
    os << v.request_line << "\n";
    for (const auto& h : v.headers)
        os << h << "\n";
    return os << "\n" << v.body;
}

signed_request_view view_of_text(const std::string& text) {
    signed_request_view v;
    const std::size_t eol = text.find('\n');
    v.request_line = text.substr(0, eol);
    std::size_t pos = eol + 1;
    std::string current;
    while (pos < text.size()) {
        std::size_t e = text.find('\n', pos);
        if (e == std::string::npos)
            e = text.size();
        std::string line = text.substr(pos, e - pos);
        pos = e + 1;
        if (line.empty()) {
            v.body = pos < text.size() ? text.substr(pos) : "";
            break;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            current += "\n" + line;
            continue;
        }
        if (!current.empty())
            v.headers.insert(current);
        // Normalize "Name: value" vs "Name:value" and the header name's case.
        const std::size_t colon = line.find(':');
        std::string value = line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ')
            value.erase(0, 1);
        current = lower(line.substr(0, colon)) + ":" + value;
    }
    if (!current.empty())
        v.headers.insert(current);
    v.body = strip_trailing_newlines(v.body);
    return v;
}

signed_request_view view_of_signed(const raw_request& r, const std::string& target,
                                   const std::vector<std::pair<std::string, std::string>>& added) {
    std::string text = r.method + " " + target + " HTTP/1.1\n";
    for (const auto& [n, v] : r.headers)
        text += n + ":" + v + "\n";
    for (const auto& [n, v] : added)
        text += n + ":" + v + "\n";
    text += "\n" + r.body;
    return view_of_text(text);
}

struct request_headers {
    std::vector<auth::header_field> fields;
    explicit request_headers(const raw_request& r) {
        for (const auto& [n, v] : r.headers)
            fields.push_back({n, v});
    }
};

std::vector<std::string> list_cases(const fs::path& root, const std::string& marker_suffix) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file())
            continue;
        const std::string name = e.path().filename().string();
        if (name.size() > marker_suffix.size() && name.ends_with(marker_suffix))
            out.push_back(fs::relative(e.path().parent_path(), root).string());
        else if (name == marker_suffix)
            out.push_back(fs::relative(e.path().parent_path(), root).string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

const fs::path v4_root = chime::test::data_dir() / "sigv4" / "aws-c-auth-v4";
const fs::path classic_root = chime::test::data_dir() / "sigv4" / "botocore-classic";

const std::vector<std::string> v4_cases = list_cases(v4_root, "context.json");
std::vector<std::string> classic_cases_list() {
    auto all = list_cases(classic_root, ".req");
    std::erase(all, "normalize-path/get-space"); // see the header comment
    return all;
}
const std::vector<std::string> classic_cases = classic_cases_list();

} // namespace

BOOST_AUTO_TEST_SUITE(sigv4_suite)

BOOST_AUTO_TEST_CASE(suites_are_complete) {
    // Guards against a data directory that silently lost cases.
    BOOST_TEST(v4_cases.size() == 38u);
    BOOST_TEST(classic_cases.size() == 33u); // 34 minus get-space
}

BOOST_DATA_TEST_CASE(aws_c_auth_v4, bdata::make(v4_cases), name) {
    const fs::path dir = v4_root / name;
    const auto ctx = boost::json::parse(chime::test::read_file(dir / "context.json")).as_object();
    const auto& jc = ctx.at("credentials").as_object();
    auth::credentials creds{std::string(jc.at("access_key_id").as_string()),
                            std::string(jc.at("secret_access_key").as_string()),
                            "",
                            {},
                            ""};
    if (jc.contains("token"))
        creds.session_token = std::string(jc.at("token").as_string());

    const raw_request req = parse_request(chime::test::read_file(dir / "request.txt"));
    const request_headers headers(req);
    const bool sign_body = ctx.at("sign_body").as_bool();
    const std::string body_hash = auth::payload_hash(req.body);

    auth::signing_params params{.region = ctx.at("region").as_string(),
                                .service = ctx.at("service").as_string(),
                                .time = suite_time()};
    params.normalize_path = ctx.at("normalize").as_bool();
    params.add_content_sha256 = sign_body;
    params.expires = std::chrono::seconds(ctx.at("expiration_in_seconds").as_int64());
    if (ctx.contains("omit_session_token") && ctx.at("omit_session_token").as_bool())
        params.token_placement = auth::session_token_placement::added_after;

    const auth::signable_request sreq{.method = req.method,
                                      .path = req.path,
                                      .query = req.query,
                                      .headers = headers.fields,
                                      .payload_hash = body_hash};
    const auth::signer signer;

    // Header signing.
    const auto h = signer.sign(sreq, creds, params);
    BOOST_TEST(h.canonical_request ==
               strip_trailing_newlines(chime::test::read_file(dir / "header-canonical-request.txt")));
    BOOST_TEST(h.string_to_sign ==
               strip_trailing_newlines(chime::test::read_file(dir / "header-string-to-sign.txt")));
    BOOST_TEST(h.signature == strip_trailing_newlines(chime::test::read_file(dir / "header-signature.txt")));
    std::vector<std::pair<std::string, std::string>> added{{"X-Amz-Date", h.amz_date}};
    if (!creds.session_token.empty())
        added.emplace_back("X-Amz-Security-Token", creds.session_token);
    if (sign_body)
        added.emplace_back("x-amz-content-sha256", h.content_sha256);
    added.emplace_back("Authorization", h.authorization);
    const std::string target = req.path + (req.query.empty() ? "" : "?" + req.query);
    BOOST_TEST(view_of_signed(req, target, added) ==
               view_of_text(chime::test::read_file(dir / "header-signed-request.txt")));

    // Presigned (query) signing. The suite presigns without the body hash header.
    params.add_content_sha256 = false;
    const auto q = signer.presign(sreq, creds, params);
    BOOST_TEST(q.canonical_request ==
               strip_trailing_newlines(chime::test::read_file(dir / "query-canonical-request.txt")));
    BOOST_TEST(q.string_to_sign ==
               strip_trailing_newlines(chime::test::read_file(dir / "query-string-to-sign.txt")));
    BOOST_TEST(q.signature == strip_trailing_newlines(chime::test::read_file(dir / "query-signature.txt")));

    // The expected signed request lists the query parameters in its own order: compare as sets.
    const auto expected = view_of_text(chime::test::read_file(dir / "query-signed-request.txt"));
    const std::string& erl = expected.request_line;
    const std::string e_target = erl.substr(erl.find(' ') + 1, erl.rfind(' ') - erl.find(' ') - 1);
    auto params_of = [](const std::string& query) {
        std::multiset<std::string> s;
        std::size_t pos = 0;
        while (pos <= query.size()) {
            std::size_t amp = std::min(query.find('&', pos), query.size());
            if (amp > pos) // the suite writes some values raw (get-vanilla-utf8-query): compare decoded
                s.insert(chime::uri_decode(query.substr(pos, amp - pos)));
            pos = amp + 1;
        }
        return s;
    };
    const std::size_t qm = e_target.find('?');
    BOOST_TEST(e_target.substr(0, qm) == req.path);
    BOOST_TEST((params_of(e_target.substr(qm + 1)) == params_of(q.query)));
    auto signed_q = view_of_signed(req, target, {});
    BOOST_TEST((signed_q.headers == expected.headers));
}

BOOST_DATA_TEST_CASE(botocore_classic, bdata::make(classic_cases), name) {
    const fs::path dir = classic_root / name;
    const std::string base = fs::path(name).filename().string();
    raw_request req = parse_request(chime::test::read_file(dir / (base + ".req")));
    const std::string creq = strip_trailing_newlines(chime::test::read_file(dir / (base + ".creq")));

    auth::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, ""};
    // The classic .req files already carry X-Amz-Date (and the token); the signer adds those itself.
    std::erase_if(req.headers, [&](const auto& h) {
        const std::string n = lower(h.first);
        if (n == "x-amz-security-token")
            creds.session_token = h.second;
        return n == "x-amz-date" || n == "x-amz-security-token";
    });
    auth::signing_params params{.region = "us-east-1", .service = "service", .time = suite_time()};
    const std::size_t token_at = creq.find("\nx-amz-security-token:");
    if (token_at != std::string::npos && creds.session_token.empty()) {
        const std::size_t from = token_at + 22;
        creds.session_token = creq.substr(from, creq.find('\n', from) - from); // quirk: not in .req
    }
    const std::string sreq_text = chime::test::read_file(dir / (base + ".sreq"));
    if (const std::size_t at = sreq_text.find("X-Amz-Security-Token:");
        creds.session_token.empty() && at != std::string::npos) {
        const std::size_t from = at + 21; // quirk: post-sts-header-after has the token only in .sreq
        creds.session_token = sreq_text.substr(from, sreq_text.find('\n', from) - from);
    }
    if (!creds.session_token.empty() && token_at == std::string::npos)
        params.token_placement = auth::session_token_placement::added_after;

    const request_headers headers(req);
    const std::string body_hash = auth::payload_hash(req.body);
    const auth::signable_request sreq{.method = req.method,
                                      .path = req.path,
                                      .query = req.query,
                                      .headers = headers.fields,
                                      .payload_hash = body_hash};
    const auto h = auth::signer{}.sign(sreq, creds, params);
    BOOST_TEST(h.canonical_request == creq);
    BOOST_TEST(h.string_to_sign == strip_trailing_newlines(chime::test::read_file(dir / (base + ".sts"))));
    BOOST_TEST(h.authorization == strip_trailing_newlines(chime::test::read_file(dir / (base + ".authz"))));

    if (base != "get-vanilla-with-session-token") { // quirk: its .sreq carries get-vanilla's signature
        std::vector<std::pair<std::string, std::string>> added{{"X-Amz-Date", h.amz_date}};
        if (!creds.session_token.empty())
            added.emplace_back("X-Amz-Security-Token", creds.session_token);
        added.emplace_back("Authorization", h.authorization);
        const std::string target = req.path + (req.query.empty() ? "" : "?" + req.query);
        BOOST_TEST(view_of_signed(req, target, added) == view_of_text(sreq_text));
    }
}

BOOST_AUTO_TEST_SUITE_END()
