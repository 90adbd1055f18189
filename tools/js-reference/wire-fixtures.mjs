// Produces test/data/wire/<service>.json: for every operation chime-cpp generates, a realistic request
// input (built deterministically from the service model) and the HTTP request the official AWS SDK for
// JavaScript v3 puts on the wire for it (method, host, path, query, headers, body), plus the SigV4
// Authorization that an independent signer (@smithy/signature-v4) computes for that request as
// chime-cpp sends it (the JS SDK's own headers removed) at a frozen clock; and a response body with
// every member, unknown members and enum values, with the JS SDK's parse of it.
//
// Usage: npm ci && npm run wire-fixtures       (rerun when the models or the operation list change)
import { ChimeSDKMessagingClient } from "@aws-sdk/client-chime-sdk-messaging";
import * as messaging from "@aws-sdk/client-chime-sdk-messaging";
import { ChimeSDKIdentityClient } from "@aws-sdk/client-chime-sdk-identity";
import * as identity from "@aws-sdk/client-chime-sdk-identity";
import { ChimeSDKMeetingsClient } from "@aws-sdk/client-chime-sdk-meetings";
import * as meetings from "@aws-sdk/client-chime-sdk-meetings";
import { ChimeClient } from "chime-legacy";
import * as chime from "chime-legacy";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { buildQueryString } from "@smithy/querystring-builder";
import { HttpResponse } from "@smithy/protocol-http";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { Readable } from "node:stream";

const here = new URL(".", import.meta.url);
const root = new URL("../../", here);
const outDir = new URL("test/data/wire/", root);
const services = JSON.parse(readFileSync(new URL("codegen/services.json", root))).services;

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const signingTime = "2024-01-02T03:04:05Z";
// Headers each SDK sets its own way (chime-cpp sends its own User-Agent). The retry headers are
// compared: amz-sdk-request as sent (3 attempts, the default of both), amz-sdk-invocation-id set to
// a fixed UUID (the tests give chime-cpp the same one) before the independent signature is computed.
const sdkOwnHeaders = new Set(["authorization", "x-amz-date", "x-amz-security-token", "user-agent",
                               "x-amz-user-agent"]);
const invocationId = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const maxAttempts = 3;

const clients = {
  classic: { make: (o) => new ChimeClient(o), module: chime },
  messaging: { make: (o) => new ChimeSDKMessagingClient(o), module: messaging },
  identity: { make: (o) => new ChimeSDKIdentityClient(o), module: identity },
  meetings: { make: (o) => new ChimeSDKMeetingsClient(o), module: meetings },
};

// ---- realistic, deterministic inputs from the model ---------------------------------------------

const accountId = "111122223333";
const appInstance = `arn:aws:chime:us-east-1:${accountId}:app-instance/5a0c1e2d-3f4a-4b5c-8d6e-7f8091a2b3c4`;

function makeValue(model, shapeName, ctx) {
  const shape = model.shapes[shapeName];
  const n = ctx.counter.next++;
  switch (shape.type) {
    case "string": {
      if (shape.enum) return ctx.response && n % 3 === 0 ? "FUTURE_ENUM_VALUE" : shape.enum[n % shape.enum.length];
      const member = ctx.member ?? "Value";
      if (ctx.idempotency) return `4b2f3c1d-0e9a-4c7b-8d6e-${String(100000000000 + n)}`;
      if (/arn$/i.test(member)) {
        const tail = /bearer|user/i.test(member) ? `user/user-${n}` : `channel/ch-${n}`;
        return ctx.location === "header" ? `${appInstance}/${tail}` : `${appInstance}/${tail} +=✓`;
      }
      if (member === "ChimeBearer") return `${appInstance}/user/user-${n}`;
      if (ctx.location === "header") return `${member}-${n}`;
      return `${member} ${n}: a+b=c & ü ✓`;
    }
    case "integer":
    case "long":
      return 3 + (n % 7);
    case "boolean":
      return n % 2 === 0;
    case "float":
    case "double":
      return 2.5;
    case "timestamp": // responses carry milliseconds, as AWS's do
      return new Date(Date.UTC(2024, 0, 2, 3, 4, 5) + n * 1000 + (ctx.response ? 123 : 0));
    case "blob":
      return Uint8Array.from([0, 1, 2, 250, n & 0xff]);
    case "list":
      return [0, 1].map(() => makeValue(model, shape.member.shape, { ...ctx, location: undefined, member: ctx.member }));
    case "map":
      return Object.fromEntries([`key ${n}+=`, `key-${n}`].map((k) => [k, makeValue(model, shape.value.shape, ctx)]));
    case "structure": {
      if (ctx.stack.includes(shapeName) || ctx.stack.length > 5) return undefined;
      const out = {};
      for (const [name, m] of Object.entries(shape.members)) {
        const v = makeValue(model, m.shape, {
          ...ctx,
          member: name,
          location: m.location,
          idempotency: !!m.idempotencyToken,
          stack: [...ctx.stack, shapeName],
        });
        if (v !== undefined) out[name] = v;
      }
      if (ctx.response) out.FutureMember = { Nested: [1, "two", { Three: null }] }; // must be ignored
      return out;
    }
    default:
      throw new Error(`${shapeName}: unsupported shape type ${shape.type}`);
  }
}

// A value of a shape as the service writes it in a JSON body: timestamps as epoch seconds unless the
// model says iso8601 (some `chime` members), blobs as base64; unknown members kept as they are.
function shapeToJson(model, shapeName, v, member = {}) {
  const shape = model.shapes[shapeName];
  if (v === undefined || v === null) return v;
  switch (shape.type) {
    case "timestamp":
      return (member.timestampFormat ?? shape.timestampFormat) === "iso8601"
        ? v.toISOString().replace(".000Z", "Z") : v.getTime() / 1000;
    case "blob":
      return Buffer.from(v).toString("base64");
    case "list":
      return v.map((x) => shapeToJson(model, shape.member.shape, x));
    case "map":
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shapeToJson(model, shape.value.shape, x)]));
    case "structure":
      return Object.fromEntries(Object.entries(v).map(([k, x]) =>
        [k, shape.members[k] ? shapeToJson(model, shape.members[k].shape, x, shape.members[k]) : x]));
    default:
      return v;
  }
}

// `v` without the members the model does not have.
function modelOnly(model, shapeName, v) {
  const shape = model.shapes[shapeName];
  if (v === undefined || v === null) return v;
  switch (shape.type) {
    case "list":
      return v.map((x) => modelOnly(model, shape.member.shape, x));
    case "map":
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, modelOnly(model, shape.value.shape, x)]));
    case "structure":
      return Object.fromEntries(Object.entries(v).filter(([k]) => shape.members[k])
        .map(([k, x]) => [k, modelOnly(model, shape.members[k].shape, x)]));
    default:
      return v;
  }
}

// The input as JSON in AWS member names: timestamps as epoch seconds, blobs as base64.
function toJson(v) {
  if (v instanceof Date) return v.getTime() / 1000;
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
}

// ---- capturing what the JS SDK sends --------------------------------------------------------------

function capturingHandler(sink) {
  return {
    handle: async (request) => {
      sink.request = request;
      const response = new HttpResponse({
        statusCode: sink.status ?? 200,
        headers: { "content-type": "application/json", "x-amzn-requestid": "req-1" },
        body: Readable.from([Buffer.from(sink.responseBody ?? "{}")]),
      });
      return { response };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
}

async function independentAuthorization(req) {
  const signer = new SignatureV4({ credentials, region: "us-east-1", service: "chime", sha256: Sha256 });
  const headers = { ...req.headers, host: req.host, "x-amz-content-sha256": sha256Hex(req.body ?? "") };
  delete headers["content-length"]; // chime-cpp signs what it sets before the transport adds Content-Length
  const signed = await signer.sign(
    { method: req.method, protocol: "https:", hostname: req.host, path: req.rawPath, query: req.queryObject,
      headers, body: req.body },
    { signingDate: new Date(signingTime), unsignableHeaders: new Set(["content-length"]) },
  );
  return signed.headers.authorization;
}

// The success status the model gives the operation (AWS answers 201 or 204 for some).
const statusOf = (op) => op.http.responseCode ?? 200;

const sha256Hex = (s) => createHash("sha256").update(s, "utf8").digest("hex");

async function capture(dir, model, operations) {
  const { make, module } = clients[dir];
  const sink = {};
  const client = make({ region: "us-east-1", credentials, requestHandler: capturingHandler(sink), maxAttempts });
  const cases = [];
  for (const name of operations) {
    const op = model.operations[name];
    const Command = module[`${name}Command`];
    if (!Command) throw new Error(`${dir}: the JS SDK has no ${name}Command`);
    const input = op.input ? makeValue(model, op.input.shape, { counter: { next: 0 }, stack: [] }) : {};
    // A response with every member, unknown members at every level, unknown enum values and
    // timestamps with milliseconds; the JS SDK's parse of it is what ours must equal.
    const responseValue = op.output
      ? makeValue(model, op.output.shape, { counter: { next: 0 }, stack: [], response: true }) : {};
    sink.request = undefined;
    sink.status = statusOf(op);
    sink.responseBody = sink.status === 204 ? ""
      : JSON.stringify(op.output ? shapeToJson(model, op.output.shape, responseValue) : {});
    let parsed;
    try {
      const { $metadata, ...output } = await client.send(new Command(structuredClone(input)));
      parsed = output;
    } catch (e) {
      throw new Error(`${dir} ${name}: ${e}`);
    }
    const r = sink.request;
    const headers = {};
    for (const [k, v] of Object.entries(r.headers)) if (!sdkOwnHeaders.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
    if (!headers["amz-sdk-invocation-id"] || headers["amz-sdk-request"] !== `attempt=1; max=${maxAttempts}`)
      throw new Error(`${dir} ${name}: the JS SDK sent no retry headers as expected`);
    headers["amz-sdk-invocation-id"] = invocationId;
    const body = r.body === undefined || r.body === null ? ""
      : typeof r.body === "string" ? r.body : Buffer.from(r.body).toString("utf8");
    const captured = { method: r.method, host: r.hostname, rawPath: r.path, queryObject: r.query ?? {}, headers, body };
    cases.push({
      operation: name,
      input: toJson(input),
      request: {
        method: r.method,
        host: r.hostname,
        path: r.path,
        query: buildQueryString(r.query ?? {}),
        headers: Object.fromEntries(Object.entries(headers).sort(([a], [b]) => a.localeCompare(b))),
        body,
      },
      authorization: await independentAuthorization(captured),
      // The SDK generation that serves `chime` passes unknown nested members through; only the
      // model's members are compared.
      response: { status: sink.status, body: sink.responseBody,
                  parsed: toJson(op.output ? modelOnly(model, op.output.shape, parsed) : {}) },
    });
  }
  return cases;
}

mkdirSync(outDir, { recursive: true });
for (const svc of services) {
  const model = JSON.parse(readFileSync(new URL(`codegen/models/${svc.model}/service-2.json`, root)));
  const operations = svc.operations ?? Object.keys(model.operations);
  const cases = await capture(svc.dir, model, operations);
  const doc = {
    generator: "tools/js-reference/wire-fixtures.mjs",
    sdk: JSON.parse(readFileSync(new URL(`node_modules/${svc.dir === "classic" ? "chime-legacy" :
      "@aws-sdk/client-chime-sdk-" + svc.dir}/package.json`, here))).version,
    signingTime,
    credentials,
    invocationId,
    cases,
  };
  writeFileSync(new URL(`${svc.dir}.json`, outDir), JSON.stringify(doc, null, 1) + "\n");
  console.log(`${svc.dir}: ${cases.length} operations`);
}
