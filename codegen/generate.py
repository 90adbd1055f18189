#!/usr/bin/env python3
"""chime-cpp's code generator: AWS service models (codegen/models, botocore JSON) -> C++.

For each service it emits, under generated/:
  include/chime/<dir>/model.hpp       the shapes reachable from the service's operations, as C++ types:
                                      aggregates with std::optional for optional members, string-backed
                                      enums that keep unknown wire values, std::chrono timestamps
  include/chime/<dir>/model_json.hpp  to_json / from_json declarations for every shape
  src/<dir>/model_json.cpp            their definitions (AWS member names; unknown fields tolerated)

Usage: codegen/generate.py           write the files
       codegen/generate.py --check   exit 1 if any committed file differs from what would be written
Python 3 standard library only.
"""
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = ROOT / "generated"
GENERATOR = "codegen/generate.py"

# The services to generate, and the operations of the `chime` service this library covers (it is large
# and mostly deprecated): codegen/services.json, which the JS reference fixtures read too.
SERVICES = json.loads((HERE / "services.json").read_text())["services"]

# chime::aws_errc's enumerators (include/chime/error.hpp), read so that the two cannot drift apart.
AWS_ERRC = set(re.findall(r"^\s+(\w+)(?: = 1)?,", re.search(r"enum class aws_errc \{(.*?)\};",
               (ROOT / "include/chime/error.hpp").read_text(), re.S).group(1), re.M))

CPP_KEYWORDS = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
    "char", "class", "compl", "concept", "const", "consteval", "constexpr", "constinit", "const_cast",
    "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete", "do", "double",
    "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
    "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr",
    "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "requires",
    "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct", "switch",
    "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename", "union",
    "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
}
RESERVED_TYPE_NAMES = {"client", "error", "result", "json_options", "json_context"}
SENSITIVE_PLACEHOLDER = "*** Sensitive Data Redacted ***"


def snake(name):
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    return s + "_" if s in CPP_KEYWORDS else s


def identifier(text):
    s = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_")
    s = snake(s) if any(c.islower() for c in s) else s.lower()
    if not s or s[0].isdigit():
        s = "v_" + s
    return s + "_" if s in CPP_KEYWORDS else s


def cpp_string(s):
    return json.dumps(s)  # a JSON string literal is a valid C++ narrow string literal for ASCII input


class Service:
    def __init__(self, spec):
        path = HERE / "models" / spec["model"] / "service-2.json"
        self.model = json.loads(path.read_text())
        self.api_version = spec["model"].split("/")[1]
        self.spec = spec
        self.dir = spec["dir"]
        self.ns = f"chime::{self.dir}"
        self.shapes = self.model["shapes"]
        ops = self.model["operations"]
        names = spec["operations"] if spec["operations"] is not None else sorted(ops)
        missing = [n for n in names if n not in ops]
        if missing:
            sys.exit(f"generate: {spec['model']} has no operations {missing}")
        self.operations = {n: ops[n] for n in names}
        self.type_names = {}
        self.order = self.reachable_in_dependency_order()
        for shape in self.order:
            t = snake(shape).rstrip("_")
            if t in RESERVED_TYPE_NAMES or t in CPP_KEYWORDS:
                t += "_shape"
            if t in self.type_names.values():
                sys.exit(f"generate: {shape} and another shape both become '{t}'")
            self.type_names[shape] = t

    def json_member_order(self, shape):
        """The members of a structure in the order the official JS SDK writes them, for byte-equal
        bodies: its current generation puts required members (idempotency tokens aside, as they are
        filled when empty) first, then the others, each in model order; the generation that last served
        the `chime` model (services.json: json_member_order "name") sorted them by name."""
        members = list(shape["members"].items())
        if self.spec.get("json_member_order") == "name":
            return sorted(members)
        required = set(shape.get("required", []))
        first = [(k, m) for k, m in members if k in required and not m.get("idempotencyToken")]
        return first + [(k, m) for k, m in members if (k, m) not in first]

    def declared_errors(self):
        """(wire name, HTTP status, aws_errc enumerator) of every error the operations declare. Each must
        be one chime::aws_errc knows: a new one is added there first."""
        out = {}
        for op in self.operations.values():
            for e in op.get("errors", []):
                name = e["shape"]
                code = snake(name.removesuffix("Exception"))
                if code not in AWS_ERRC:
                    sys.exit(f"generate: {self.dir}: error {name} has no chime::aws_errc value ({code})")
                out[name] = (name, self.shapes[name]["error"]["httpStatusCode"], code)
        return [out[k] for k in sorted(out)]

    def deps(self, name):
        s = self.shapes[name]
        if s["type"] == "structure":
            return [m["shape"] for m in s["members"].values()]
        if s["type"] == "list":
            return [s["member"]["shape"]]
        if s["type"] == "map":
            return [s["key"]["shape"], s["value"]["shape"]]
        return []

    def reachable_in_dependency_order(self):
        roots = []
        for op in self.operations.values():
            for key in ("input", "output"):
                if key in op:
                    roots.append(op[key]["shape"])
            roots += [e["shape"] for e in op.get("errors", [])]
        order, state = [], {}

        def visit(name):
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                sys.exit(f"generate: recursive shape {name} needs indirection, which is not implemented")
            state[name] = 1
            for d in self.deps(name):
                visit(d)
            state[name] = 2
            order.append(name)

        for r in sorted(set(roots)):
            visit(r)
        return order

    # Shapes that become named C++ types: structures and enums. Others map to standard types.
    def is_named(self, shape):
        s = self.shapes[shape]
        return s["type"] == "structure" or (s["type"] == "string" and "enum" in s)

    def cpp_type(self, shape):
        s = self.shapes[shape]
        t = s["type"]
        if t == "structure" or (t == "string" and "enum" in s):
            return f"::{self.ns}::{self.type_names[shape]}"
        if t == "string":
            return "std::string"
        if t == "integer":
            return "std::int32_t"
        if t == "long":
            return "std::int64_t"
        if t == "boolean":
            return "bool"
        if t in ("double", "float"):
            return "double"
        if t == "timestamp":
            return "std::chrono::system_clock::time_point"
        if t == "list":
            return f"std::vector<{self.cpp_type(s['member']['shape'])}>"
        if t == "map":
            if self.shapes[s["key"]["shape"]]["type"] != "string":
                sys.exit(f"generate: map {shape} has a non-string key")
            return f"std::map<std::string, {self.cpp_type(s['value']['shape'])}>"
        sys.exit(f"generate: shape {shape} has unsupported type {t}")

    def sensitive(self, shape):
        return bool(self.shapes[shape].get("sensitive"))

    def timestamp_format(self, shape, member):
        return member.get("timestampFormat") or self.shapes[shape].get("timestampFormat") or "unixTimestamp"


def banner(svc, comment="//"):
    return (f"{comment} Generated by {GENERATOR} from the AWS model {svc.model['metadata']['serviceId']} "
            f"{svc.api_version}. Do not edit.\n")


def model_header(svc):
    out = [banner(svc), "#pragma once\n",
           f"/// @file\n/// Types of {svc.model['metadata']['serviceId']} ({svc.model['metadata'].get('serviceFullName', '')},"
           f" API {svc.api_version}).\n\n",
           "#include <chrono>\n#include <cstdint>\n#include <map>\n#include <optional>\n#include <string>\n"
           "#include <string_view>\n#include <vector>\n\n",
           f"namespace {svc.ns} {{\n"]
    for shape in svc.order:
        s = svc.shapes[shape]
        if not svc.is_named(shape):
            continue
        name = svc.type_names[shape]
        if s["type"] == "string":
            out.append(enum_decl(svc, shape, name, s))
            continue
        required = set(s.get("required", []))
        kind = "error" if s.get("exception") else "structure"
        out.append(f"\n/// {shape} ({kind}).\nstruct {name} {{\n")
        for member, m in s["members"].items():
            t = svc.cpp_type(m["shape"])
            field = snake(member)
            sensitive = " (sensitive)" if svc.sensitive(m["shape"]) else ""
            where = f" [{m['location']}: {m.get('locationName', member)}]" if "location" in m else ""
            if member in required:
                out.append(f"    {t} {field}; ///< {member}, required{where}{sensitive}\n")
            else:
                out.append(f"    std::optional<{t}> {field}; ///< {member}{where}{sensitive}\n")
        out.append("};\n")
    out.append(f"\n}} // namespace {svc.ns}\n")
    return "".join(out)


def enum_decl(svc, shape, name, s):
    values, seen = [], set()
    for v in s["enum"]:
        ident = identifier(v)
        if ident in ("value", "is_known") or ident in seen:
            ident += "_"
        seen.add(ident)
        values.append((ident, v))
    out = [f"\n/// {shape}: a string on the wire; a value this library does not know is kept as it is.\n",
           f"struct {name} {{\n    std::string value;\n\n    {name}() = default;\n",
           f"    {name}(std::string v) : value(std::move(v)) {{}}\n",
           f"    {name}(const char* v) : value(v) {{}}\n\n"]
    for ident, _ in values:
        out.append(f"    static const {name} {ident};\n")
    out.append("\n    /// True when the value is one of those the model lists.\n    bool is_known() const;\n")
    out.append(f"    bool operator==(const {name}&) const = default;\n")
    out.append("    bool operator==(std::string_view s) const { return value == s; }\n};\n")
    for ident, v in values:
        out.append(f"inline const {name} {name}::{ident}{{{cpp_string(v)}}};\n")
    return "".join(out)


def json_header(svc):
    out = [banner(svc), "#pragma once\n",
           f"/// @file\n/// JSON forms of the {svc.model['metadata']['serviceId']} types, with AWS member names.\n\n",
           f"#include <chime/{svc.dir}/model.hpp>\n#include <chime/json.hpp>\n\n#include <iosfwd>\n#include <string>\n\n",
           f"namespace {svc.ns} {{\n\n",
           "// to_string and operator<< write the JSON form with the members the model marks sensitive redacted,\n"
           "// so that they are safe to log.\n"]
    for shape in svc.order:
        if svc.is_named(shape):
            t = svc.type_names[shape]
            out.append(f"void to_json(boost::json::value& out, const {t}& v, const json_options& o = {{}});\n")
            out.append(f"bool from_json(const boost::json::value& in, {t}& out, json_context& ctx);\n")
            out.append(f"std::string to_string(const {t}& v);\n")
            out.append(f"std::ostream& operator<<(std::ostream& os, const {t}& v);\n")
    out.append(f"\n}} // namespace {svc.ns}\n")
    return "".join(out)


def json_source(svc):
    out = [banner(svc), f"#include <chime/{svc.dir}/model_json.hpp>\n\n#include \"model/json_codec.hpp\"\n\n#include <ostream>\n\n",
           f"namespace {svc.ns} {{\n\nusing namespace ::chime::detail;\n"]
    for shape in svc.order:
        if not svc.is_named(shape):
            continue
        s = svc.shapes[shape]
        t = svc.type_names[shape]
        out.append(f"\nstd::string to_string(const {t}& v) {{ return loggable_json(v); }}\n"
                   f"std::ostream& operator<<(std::ostream& os, const {t}& v) {{ return os << loggable_json(v); }}\n")
        if s["type"] == "string":
            known = " || ".join(f"value == {cpp_string(v)}" for v in s["enum"]) or "false"
            out.append(f"\nbool {t}::is_known() const {{ return {known}; }}\n")
            out.append(f"void to_json(boost::json::value& out, const {t}& v, const json_options&) {{ out = v.value; }}\n")
            out.append(f"bool from_json(const boost::json::value& in, {t}& out, json_context& ctx) {{\n"
                       f"    return read_value(in, out.value, ctx);\n}}\n")
            continue
        if not s["members"]:
            out.append(f"\nvoid to_json(boost::json::value& out, const {t}&, const json_options&) {{ out.emplace_object(); }}\n"
                       f"bool from_json(const boost::json::value& in, {t}&, json_context& ctx) {{\n"
                       f"    return in.is_object() || ctx.fail(\"expected an object\");\n}}\n")
            continue
        out.append(f"\nvoid to_json(boost::json::value& out, const {t}& v, const json_options& o) {{\n"
                   f"    auto& obj = out.emplace_object();\n")
        for member, m in svc.json_member_order(s):
            field = snake(member)
            located = "location" in m
            sens = "true" if svc.sensitive(m["shape"]) else "false"
            fmt = svc.timestamp_format(m["shape"], m)
            ts = ", timestamp_format::iso8601" if fmt == "iso8601" else ""
            cond = "!o.body_only" if located else ""
            if member in set(s.get("required", [])):
                guard = f"if ({cond}) " if cond else ""
                out.append(f"    {guard}write_member(obj, {cpp_string(member)}, v.{field}, o, {sens}{ts});\n")
            else:
                guard = f"if ({cond + ' && ' if cond else ''}v.{field}) "
                out.append(f"    {guard}write_member(obj, {cpp_string(member)}, *v.{field}, o, {sens}{ts});\n")
        out.append("}\n")
        out.append(f"bool from_json(const boost::json::value& in, {t}& out, json_context& ctx) {{\n"
                   f"    const auto* obj = in.if_object();\n"
                   f"    if (!obj)\n        return ctx.fail(\"expected an object\");\n"
                   f"    for (const auto& kv : *obj) {{\n        const std::string_view key = kv.key();\n")
        first = True
        for member, m in s["members"].items():
            field = snake(member)
            kw = "if" if first else "} else if"
            first = False
            out.append(f"        {kw} (key == {cpp_string(member)}) {{\n"
                       f"            if (!read_member(kv.value(), {cpp_string(member)}, out.{field}, ctx))\n"
                       f"                return false;\n")
        if not first:
            out.append("        }\n")
        out.append("        // Other keys: members this model version does not have; tolerated.\n    }\n"
                   "    return true;\n}\n")
    out.append(f"\n}} // namespace {svc.ns}\n")
    return "".join(out)


SERVICE_INFO = {
    # dir: (endpoint prefix, global service)
    "classic": ("chime", True),
    "messaging": ("messaging-chime", False),
    "identity": ("identity-chime", False),
    "meetings": ("meetings-chime", False),
}


def op_types(svc, op):
    inp = svc.type_names[op["input"]["shape"]] if "input" in op else None
    out = svc.type_names[op["output"]["shape"]] if "output" in op else None
    return inp, out


def streams(svc):
    """(op_name, request type, response type, list member, item type) of each operation with NextToken in
    its input and output and one list member to stream."""
    pages = paginators(svc)
    out = []
    for op_name, op in svc.operations.items():
        p = pagination_for(svc, op_name, op, pages)
        key = p.get("result_key") if isinstance(p.get("result_key"), str) else ""
        if p.get("input_token") != "NextToken" or p.get("output_token") != "NextToken" or not key:
            continue
        inp, res = op_types(svc, op)
        out_shape = svc.shapes[op["output"]["shape"]]
        list_shape = svc.shapes[out_shape["members"][key]["shape"]]
        out.append((op_name, inp, res, snake(key), svc.cpp_type(list_shape["member"]["shape"])))
    return out


def client_header(svc):
    name = svc.model["metadata"]["serviceId"]
    out = [banner(svc), "#pragma once\n",
           f"/// @file\n/// The {name} client: one awaitable function per operation.\n\n",
           f"#include <chime/{svc.dir}/model.hpp>\n#include <chime/async_generator.hpp>\n#include <chime/detail/service_client.hpp>\n"
           "#include <chime/operation_descriptor.hpp>\n#include <chime/operation_entry.hpp>\n#include <chime/pagination.hpp>\n\n#include <span>\n\n",
           f"namespace {svc.ns} {{\n\n",
           f"/// Calls {name}. Every operation comes in two forms: the first throws chime::exception, the second\n"
           f"/// (`..., chime::no_throw`) returns chime::result<T>. Both complete on the awaiting coroutine's\n"
           f"/// executor and honour its cancellation slot. Required members are checked and empty idempotency\n"
           f"/// tokens filled before anything is sent. Thread-safe; must outlive no call (calls keep what they need).\n",
           "class client {\npublic:\n",
           "    /// @throws chime::exception when the configuration cannot be resolved (no region, a bad endpoint, ...).\n",
           "    explicit client(boost::asio::any_io_executor ex, client_config cfg = {});\n\n",
           "    const detail::service_client& core() const noexcept { return core_; }\n\n",
           "    /// A copy of this client whose calls use `options` (a deadline, attempts, a send-wait bound).\n",
           "    /// Cheap: the copy shares the transport, its pools and its retry state.\n",
           "    client with(call_options options) const {\n",
           "        client c = *this;\n",
           "        c.core_.set_call_options(std::move(options));\n",
           "        return c;\n",
           "    }\n"]
    for op_name, op in svc.operations.items():
        inp, res = op_types(svc, op)
        ret = res or "void"
        fn = snake(op_name)
        arg = f"{inp} request" if inp else ""
        sep = ", " if inp else ""
        out.append(f"\n    /// {op_name}: {op['http']['method']} {op['http']['requestUri']}\n")
        errs = ", ".join(e["shape"].removesuffix("Exception") for e in op.get("errors", []))
        if errs:
            out.append(f"    /// Errors: {errs}.\n")
        out.append(f"    boost::asio::awaitable<{ret}> {fn}({arg});\n")
        out.append(f"    boost::asio::awaitable<result<{ret}>> {fn}({arg}{sep}no_throw_t);\n")
        for stream_op, _, res_t, key, item in streams(svc):
            if stream_op != op_name:
                continue
            out.append(f"    /// {op_name} as a stream of pages, then of its {key} one at a time (chime/pagination.hpp).\n"
                       f"    /// Each stream holds a copy of this client.\n"
                       f"    async_generator<{res_t}> {fn}_pages({inp} request, pagination_options options = {{}}) const;\n"
                       f"    async_generator<{item}> {fn}_items({inp} request, pagination_options options = {{}}) const;\n")
    out.append("\nprivate:\n    detail::service_client core_;\n};\n")
    errors = svc.declared_errors()
    out.append(f"\n/// The errors the {name} model declares, each with the chime::aws_errc it decodes to.\n"
               f"inline constexpr declared_error model_errors[] = {{\n")
    for wire, status, code in errors:
        out.append(f"    {{{cpp_string(wire)}, {status}, aws_errc::{code}}},\n")
    out.append("};\n")
    out.append("\n/// Every operation of this client, for calls by name (see chime/invoke.hpp).\n"
               "const std::vector<operation_entry<client>>& operation_table();\n")
    out.append("\n/// The rest-json binding of every operation of this service, as data (what chime-local routes by).\n"
               "std::span<const operation_descriptor> operation_descriptors();\n")
    out.append(f"\n}} // namespace {svc.ns}\n")
    return "".join(out)


def client_source(svc):
    prefix, is_global = SERVICE_INFO[svc.dir]
    prefixes = sorted({op["endpoint"]["hostPrefix"] for op in svc.operations.values() if "endpoint" in op})
    prefix_array = (f"static constexpr std::string_view host_prefixes[] = {{{', '.join(cpp_string(p) for p in prefixes)}}};\n"
                    if prefixes else "")
    out = [banner(svc), f"#include <chime/{svc.dir}/client.hpp>\n#include <chime/{svc.dir}/model_json.hpp>\n\n",
           "#include \"model/json_codec.hpp\"\n#include \"model/operation_codec.hpp\"\n#include \"model/paginate.hpp\"\n\n",
           "#include <boost/json/serialize.hpp>\n\n",
           f"namespace {svc.ns} {{\n\nusing namespace ::chime::detail;\n\n",
           prefix_array,
           f"static constexpr service_info info{{{cpp_string(svc.model['metadata']['serviceId'])}, "
           f"{cpp_string(prefix)}, {'true' if is_global else 'false'}, "
           f"{'host_prefixes' if prefixes else '{}'}}};\n\n",
           "client::client(boost::asio::any_io_executor ex, client_config cfg) : core_(std::move(ex), std::move(cfg), info) {}\n"]
    for op_name, op in svc.operations.items():
        out.append(operation_source(svc, op_name, op))
    for op_name, inp, res_t, key, item in streams(svc):
        fn = snake(op_name)
        out.append(f"\nasync_generator<{res_t}> client::{fn}_pages({inp} request, pagination_options options) const {{\n"
                   f"    auto call = [c = *this](auto r) mutable {{ return c.{fn}(std::move(r), no_throw); }};\n"
                   f"    return page_stream({cpp_string(op_name)}, std::move(request), options, std::move(call), &{res_t}::{key});\n"
                   f"}}\n\n"
                   f"async_generator<{item}> client::{fn}_items({inp} request, pagination_options options) const {{\n"
                   f"    return item_stream<{item}>({fn}_pages(std::move(request), options), &{res_t}::{key});\n"
                   f"}}\n")
    out.append(descriptors_source(svc))
    out.append(f"\n}} // namespace {svc.ns}\n")
    return "".join(out)


def binding_kind(svc, shape):
    t = svc.shapes[shape]["type"]
    if t == "list":
        if svc.shapes[svc.shapes[shape]["member"]["shape"]]["type"] != "string":
            sys.exit(f"generate: {shape}: only lists of strings can be bound outside the body")
        return "string_list"
    return {"string": "string", "integer": "integer", "long": "integer", "boolean": "boolean",
            "timestamp": "timestamp"}.get(t) or sys.exit(f"generate: {shape}: cannot bind a {t} outside the body")


def descriptors_source(svc):
    out = ["\nnamespace {\n"]
    rows = []
    for op_name, op in svc.operations.items():
        members = svc.shapes[op["input"]["shape"]]["members"] if "input" in op else {}
        located = [(k, m) for k, m in members.items() if "location" in m]
        has_body = any("location" not in m for m in members.values())
        locs = {"uri": "uri", "querystring": "query", "header": "header"}
        if located:
            out.append(f"constexpr member_binding {snake(op_name)}_bindings[] = {{\n")
            for k, m in located:
                out.append(f"    {{{cpp_string(k)}, {cpp_string(m.get('locationName', k))}, "
                           f"binding_location::{locs[m['location']]}, binding_kind::{binding_kind(svc, m['shape'])}}},\n")
            out.append("};\n")
        bindings = f"{snake(op_name)}_bindings" if located else "{}"
        http = op["http"]
        rows.append(f"    {{{cpp_string(op_name)}, {cpp_string(http['method'])}, {cpp_string(http['requestUri'])}, "
                    f"{http.get('responseCode', 200)}, {cpp_string(op.get('endpoint', {}).get('hostPrefix', ''))}, "
                    f"{bindings}, {'true' if has_body else 'false'}}},\n")
    out.append("constexpr operation_descriptor descriptors[] = {\n")
    out.extend(rows)
    out.append("};\n\n} // namespace\n\n"
               "std::span<const operation_descriptor> operation_descriptors() { return descriptors; }\n")
    return "".join(out)


def operation_source(svc, op_name, op):
    inp, res = op_types(svc, op)
    ret = res or "void"
    fn = snake(op_name)
    http = op["http"]
    host_prefix = op.get("endpoint", {}).get("hostPrefix", "")
    has_token = bool(inp) and any(m.get("idempotencyToken") for m in svc.shapes[op["input"]["shape"]]["members"].values())
    lines = [f"\nboost::asio::awaitable<result<{ret}>> client::{fn}({inp + ' request, ' if inp else ''}no_throw_t) {{\n",
             f"    static constexpr operation_info op{{{cpp_string(op_name)}, {cpp_string(host_prefix)}"
             f"{', true' if has_token else ''}}};\n",
             "    http::request req;\n",
             f"    req.method = {cpp_string(http['method'])};\n"]
    uri = http["requestUri"]
    path, _, static_query = uri.partition("?")
    shape = svc.shapes[op["input"]["shape"]] if inp else {"members": {}, "required": []}
    members = shape["members"]
    required = set(shape.get("required", []))
    if inp and not members:
        lines.append("    (void)request; // the operation takes no members\n")
    for member, m in members.items():
        if m.get("idempotencyToken"):
            field = snake(member)
            if member in required:
                lines.append(f"    if (request.{field}.empty())\n        request.{field} = new_idempotency_token();\n")
            else:
                lines.append(f"    if (!request.{field} || request.{field}->empty())\n"
                             f"        request.{field} = new_idempotency_token();\n")
    for member in shape.get("required", []):
        lines.append(f"    if (is_empty(request.{snake(member)}))\n"
                     f"        co_return missing_member(op.name, {cpp_string(member)});\n")
    labels = {m.get("locationName", k): (k, m) for k, m in members.items() if m.get("location") == "uri"}
    # The path: literal pieces and labels, in order.
    pieces = re.split(r"(\{[^}]+\})", path)
    lines.append("    req.path.clear();\n    req.path.reserve(128);\n")
    for piece in pieces:
        if not piece:
            continue
        if piece.startswith("{"):
            label = piece[1:-1]
            greedy = label.endswith("+")
            label = label.rstrip("+")
            if label not in labels:
                sys.exit(f"generate: {op_name}: URI label {label} has no member")
            member, m = labels[label]
            if member not in required:
                sys.exit(f"generate: {op_name}: URI label {label} is not a required member")
            lines.append(f"    append_label(req.path, request.{snake(member)}, {'true' if greedy else 'false'});\n")
        else:
            lines.append(f"    req.path += {cpp_string(piece)};\n")
    # The query string in key order, as the AWS SDKs build it: literal parameters of the URI and members.
    query = []
    if static_query:
        for item in static_query.split("&"):
            k, _, v = item.partition("=")
            query.append((k, f"    append_query(req.query, {cpp_string(k)}, std::string_view({cpp_string(v)}));\n"))
    body_members = []
    for member, m in members.items():
        field = snake(member)
        loc = m.get("location")
        if loc == "querystring":
            wire = m.get("locationName", member)
            key = cpp_string(wire)
            if member in required:
                query.append((wire, f"    append_query(req.query, {key}, request.{field});\n"))
            else:
                query.append((wire, f"    if (request.{field})\n        append_query(req.query, {key}, *request.{field});\n"))
        elif loc == "header":
            key = cpp_string(m.get("locationName", member))
            if member in required:
                lines.append(f"    req.headers.push_back({{{key}, header_text(request.{field})}});\n")
            else:
                lines.append(f"    if (request.{field})\n"
                             f"        req.headers.push_back({{{key}, header_text(*request.{field})}});\n")
        elif loc in ("uri", None):
            if loc is None:
                body_members.append(member)
        else:
            sys.exit(f"generate: {op_name}.{member}: unsupported location {loc}")
    lines.extend(line for _, line in sorted(query, key=lambda q: q[0]))
    if body_members:
        lines.append("    req.body = json_body(request);\n"
                     "    req.headers.push_back({\"Content-Type\", \"application/json\"});\n")
    lines.append("    auto response = co_await core_.call(op, std::move(req));\n"
                 "    if (!response)\n        co_return response.error();\n")
    if res:
        lines.append(f"    co_return parse_response<{res}>(op.name, *response);\n}}\n")
    else:
        lines.append("    co_return result<void>();\n}\n")
    arg = f"{inp} request" if inp else ""
    fwd = "std::move(request), " if inp else ""
    lines.append(f"\nboost::asio::awaitable<{ret}> client::{fn}({arg}) {{\n"
                 f"    auto r = co_await {fn}({fwd}no_throw);\n")
    lines.append("    co_return std::move(r).value();\n}\n" if res else "    r.value();\n}\n")
    return "".join(lines)


def kebab(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


def paginators(svc):
    spec = next(sp for sp in SERVICES if sp["dir"] == svc.dir)
    path = HERE / "models" / spec["model"] / "paginators-1.json"
    return json.loads(path.read_text()).get("pagination", {})


def pagination_for(svc, op_name, op, pages):
    """The model's paginator if it has one; else, as the Chime SDK models leave their paginator files
    empty, any operation with NextToken in both input and output pages over its single list member."""
    if op_name in pages:
        return pages[op_name]
    if "input" not in op or "output" not in op:
        return {}
    inp = svc.shapes[op["input"]["shape"]]["members"]
    out = svc.shapes[op["output"]["shape"]]["members"]
    if "NextToken" not in inp or "NextToken" not in out:
        return {}
    lists = [k for k, m in out.items() if svc.shapes[m["shape"]]["type"] == "list"]
    return {"input_token": "NextToken", "output_token": "NextToken",
            "result_key": lists[0] if len(lists) == 1 else "",
            "limit_key": "MaxResults" if "MaxResults" in inp else ""}


def invoke_source(svc):
    pages = paginators(svc)
    out = [banner(svc), f"#include <chime/{svc.dir}/client.hpp>\n#include <chime/{svc.dir}/model_json.hpp>\n",
           "#include <chime/invoke.hpp>\n\n#include \"model/json_codec.hpp\"\n#include \"model/operation_codec.hpp\"\n\n"
           "#include <boost/json/value.hpp>\n\n",
           f"namespace {svc.ns} {{\nnamespace {{\n\nusing namespace ::chime::detail;\n",
           "using invoke_result = boost::asio::awaitable<result<boost::json::value>>;\n"]
    entries = []
    for op_name, op in svc.operations.items():
        inp, res = op_types(svc, op)
        fn = snake(op_name)
        out.append(f"\ninvoke_result invoke_{fn}(client& c, const boost::json::value& input) {{\n")
        if inp:
            out.append(f"    {inp} request;\n    json_context ctx;\n"
                       f"    if (!from_json(input, request, ctx))\n"
                       f"        co_return error(make_error_code(errc::invalid_request), \"{op_name} input: \" + ctx.error());\n"
                       f"    auto r = co_await c.{fn}(std::move(request), no_throw);\n")
        else:
            out.append(f"    (void)input;\n    auto r = co_await c.{fn}(no_throw);\n")
        out.append("    if (!r)\n        co_return r.error();\n    boost::json::value out;\n")
        if res:
            out.append("    to_json(out, *r);\n")
        else:
            out.append("    out.emplace_object();\n")
        out.append("    co_return out;\n}\n")
        out.append(f"\nresult<boost::json::value> read_{fn}(const http::response& r) {{\n"
                   f"    return read_response_as_json<{res or 'void'}>({cpp_string(op_name)}, r);\n}}\n")
        p = pagination_for(svc, op_name, op, pages)
        def one(v):
            return v if isinstance(v, str) else ""
        entries.append(f"    {{{cpp_string(op_name)}, {cpp_string(kebab(op_name))}, &invoke_{fn}, &read_{fn}, "
                       f"{cpp_string(one(p.get('input_token', '')))}, {cpp_string(one(p.get('output_token', '')))}, "
                       f"{cpp_string(one(p.get('result_key', '')))}, {cpp_string(one(p.get('limit_key', '')))}}},\n")
    out.append("\n} // namespace\n\n")
    out.append(f"const std::vector<operation_entry<client>>& operation_table() {{\n"
               f"    static const std::vector<operation_entry<client>> table{{\n{''.join(entries)}    }};\n"
               f"    return table;\n}}\n")
    out.append(f"\n}} // namespace {svc.ns}\n")
    return "".join(out)


def outputs():
    files = {}
    for spec in SERVICES:
        svc = Service(spec)
        files[OUT / "include" / "chime" / svc.dir / "model.hpp"] = model_header(svc)
        files[OUT / "include" / "chime" / svc.dir / "model_json.hpp"] = json_header(svc)
        files[OUT / "src" / svc.dir / "model_json.cpp"] = json_source(svc)
        files[OUT / "include" / "chime" / svc.dir / "client.hpp"] = client_header(svc)
        files[OUT / "src" / svc.dir / "client.cpp"] = client_source(svc)
        files[OUT / "src" / svc.dir / "invoke.cpp"] = invoke_source(svc)
    return files


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for path, text in outputs().items():
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if check:
        if stale:
            print("generate: out of date (run codegen/generate.py): " + ", ".join(stale))
            sys.exit(1)
        print("generate: generated/ matches the models")
    else:
        print(f"generate: wrote {len(outputs())} files under {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
