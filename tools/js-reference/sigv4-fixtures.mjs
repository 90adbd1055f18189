// Produces test/data/sigv4/js-fixtures.json: SigV4 results computed by the official AWS SDK for
// JavaScript's signer (@smithy/signature-v4, the implementation behind every @aws-sdk v3 client)
// with a frozen clock. chime-cpp's tests sign the same requests and must match byte for byte.
//
// Usage: npm ci && npm run sigv4-fixtures        (rerun only when adding cases)
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { writeFileSync } from "node:fs";

const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
const appInstance = "arn:aws:chime:us-east-1:111122223333:app-instance/abc";
const channel = `${appInstance}/channel/def`;
const user = `${appInstance}/user/José+Ünïcode=1`;
const longTermCreds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const sessionCreds = { ...longTermCreds, sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE+/token==" };

// Each case: the request as chime-cpp puts it on the wire (path and query already encoded) and
// the same query decoded, which is how the JS signer takes it.
const cases = [
  {
    name: "send-channel-message-arn-path-session-token",
    mode: "header", applyChecksum: true, creds: sessionCreds, region: "us-east-1", service: "chime",
    time: "2024-01-02T03:04:05Z", method: "POST", host: "messaging-chime.us-east-1.amazonaws.com",
    path: `/channels/${enc(channel)}/messages`, query: {},
    headers: { "content-type": "application/json", "x-amz-chime-bearer": user },
    body: JSON.stringify({ Content: "héllo + world = ✓", Type: "STANDARD", Persistence: "PERSISTENT",
                           ClientRequestToken: "9f8a2c1e-1111-4222-8333-944445555666" }),
  },
  {
    name: "list-channel-messages-query-encoding",
    mode: "header", applyChecksum: true, creds: longTermCreds, region: "us-east-1", service: "chime",
    time: "2024-02-29T23:59:59Z", method: "GET", host: "messaging-chime.us-east-1.amazonaws.com",
    path: `/channels/${enc(channel)}/messages`,
    query: { "max-results": "50", "next-token": "abc+def/ghi==", "not-before": "2024-01-02T03:04:05Z",
             "sort-order": "DESCENDING", "filter": "a b&c=d ✓" },
    headers: { "x-amz-chime-bearer": user },
  },
  {
    name: "membership-path-two-arn-labels",
    mode: "header", applyChecksum: false, creds: longTermCreds, region: "eu-central-1", service: "chime",
    time: "2025-12-31T12:00:00Z", method: "DELETE", host: "messaging-chime.eu-central-1.amazonaws.com",
    path: `/channels/${enc(channel)}/memberships/${enc(user)}`, query: { "sub-channel-id": "sub 1+2" },
    headers: { "x-amz-chime-bearer": user, "X-Custom-Header": "  spaced   value\tend  " },
  },
  {
    name: "get-channel-message-unicode-label-checksum",
    mode: "header", applyChecksum: true, creds: sessionCreds, region: "us-west-2", service: "chime",
    time: "2026-11-22T08:30:00Z", method: "GET", host: "messaging-chime.us-west-2.amazonaws.com",
    path: `/channels/${enc(channel)}/messages/${enc("msg id ✓/with+slash=")}`, query: {},
    headers: { "x-amz-chime-bearer": user },
  },
  {
    name: "update-channel-put-body",
    mode: "header", applyChecksum: true, creds: longTermCreds, region: "us-east-1", service: "chime",
    time: "2024-01-02T03:04:05Z", method: "PUT", host: "identity-chime.us-east-1.amazonaws.com",
    path: `/channels/${enc(channel)}`, query: {},
    headers: { "content-type": "application/json", "x-amz-chime-bearer": user },
    body: JSON.stringify({ Name: "room: 100% ✓", Mode: "RESTRICTED", Metadata: "a=b&c" }),
  },
  {
    name: "messaging-session-presign-session-token",
    mode: "presign", expires: 10, creds: sessionCreds, region: "us-east-1", service: "chime",
    time: "2024-01-02T03:04:05Z", method: "GET", host: "node001.ue1.ws-messaging.chime.aws",
    path: "/connect",
    query: { userArn: user, sessionId: "2f1c9e0a-1b2c-4d3e-8f40-516273849506", "prefetch-on": "connect",
             "prefetch-sort-by": "unread" },
    headers: {},
  },
  {
    name: "messaging-session-presign-long-term",
    mode: "presign", expires: 10, creds: longTermCreds, region: "eu-central-1", service: "chime",
    time: "2025-06-30T00:00:00Z", method: "GET", host: "127.0.0.1:4443",
    path: "/connect", query: { userArn: `${appInstance}/user/u 1`, sessionId: "42" },
    headers: {},
  },
];

const out = [];
for (const c of cases) {
  const signer = new SignatureV4({ credentials: c.creds, region: c.region, service: c.service, sha256: Sha256,
                                   uriEscapePath: true, applyChecksum: c.applyChecksum ?? true });
  let canonical = "";
  let stringToSign = "";
  const originalSts = signer.createStringToSign.bind(signer);
  signer.createStringToSign = async (longDate, scope, cr, alg) => {
    canonical = cr;
    stringToSign = await originalSts(longDate, scope, cr, alg);
    return stringToSign;
  };
  const request = { method: c.method, protocol: "https:", hostname: c.host.split(":")[0], path: c.path,
                    query: { ...c.query }, headers: { host: c.host, ...c.headers }, body: c.body };
  const signingDate = new Date(c.time);
  const wireQuery = Object.keys(c.query).map((k) => `${enc(k)}=${enc(c.query[k])}`).join("&");
  const entry = {
    name: c.name, mode: c.mode, region: c.region, service: c.service, time: c.time,
    credentials: c.creds, method: c.method, path: c.path, query: wireQuery,
    headers: request.headers, body: c.body ?? "", add_content_sha256: c.applyChecksum ?? false,
  };
  if (c.mode === "header") {
    const signed = await signer.sign(request, { signingDate });
    entry.expected = { canonical_request: canonical, string_to_sign: stringToSign,
                       authorization: signed.headers.authorization,
                       added_headers: Object.fromEntries(Object.entries(signed.headers)
                         .filter(([k]) => !(k in request.headers))) };
  } else {
    entry.expires = c.expires;
    const signed = await signer.presign(request, { signingDate, expiresIn: c.expires });
    entry.expected = { canonical_request: canonical, string_to_sign: stringToSign,
                       query: Object.fromEntries(Object.entries(signed.query).map(([k, v]) => [k, v])) };
  }
  out.push(entry);
}
const generator = "tools/js-reference/sigv4-fixtures.mjs with @smithy/signature-v4 5.7.5";
writeFileSync(process.argv[2], JSON.stringify({ generator, cases: out }, null, 2) + "\n");
console.log(`wrote ${out.length} cases to ${process.argv[2]}`);
