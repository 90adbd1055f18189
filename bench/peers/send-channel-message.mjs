// The AWS SDK for JavaScript v3 on chime-bench's workload: N SendChannelMessage calls from C concurrent
// async loops over a keep-alive https agent (maxSockets = C), after a warm-up of the same size, printing
// the line `chime-bench calls` prints:
//   aws-sdk-js-v3 op=send-channel-message calls=N conc=C wall_s=.. cpu_s=.. calls_per_cpu_s=.. p50_ms=..
//   p99_ms=.. connections=.. errors=..
// cpu_s is the Node.js process's user + system CPU (process.cpuUsage) over the measured calls only.
//
//   node send-channel-message.mjs --endpoint URL [--ca-bundle F | --no-verify-ssl] [--calls N]
//       [--concurrency C] [--warmup W] [--channel-arn ARN --bearer ARN]
//
// Without --channel-arn/--bearer it first creates an app instance, a user and a channel through the API.
// Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, else chime-local's default pair.
import { readFileSync } from "node:fs";
import { Agent as HttpsAgent } from "node:https";
import { Agent as HttpAgent } from "node:http";
import { performance } from "node:perf_hooks";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { ChimeSDKMessagingClient, SendChannelMessageCommand, CreateChannelCommand } from "@aws-sdk/client-chime-sdk-messaging";
import {
  ChimeSDKIdentityClient, CreateAppInstanceCommand, CreateAppInstanceUserCommand,
} from "@aws-sdk/client-chime-sdk-identity";

function parseArgs(argv) {
  const known = new Set(["endpoint", "ca-bundle", "calls", "concurrency", "warmup", "channel-arn", "bearer", "region"]);
  const out = { calls: "20000", concurrency: "32", region: "us-east-1", "no-verify-ssl": false };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === "--no-verify-ssl") { out["no-verify-ssl"] = true; continue; }
    if (!a.startsWith("--") || !known.has(a.slice(2))) throw new Error(`unknown option ${a}`);
    if (i + 1 >= argv.length) throw new Error(`option ${a} needs a value`);
    out[a.slice(2)] = argv[++i];
  }
  if (!out.endpoint) throw new Error("--endpoint URL is required");
  for (const k of ["calls", "concurrency", ...(out.warmup ? ["warmup"] : [])]) {
    if (!/^[1-9][0-9]*$/.test(out[k])) throw new Error(`--${k} must be a positive number, got '${out[k]}'`);
    out[k] = Number(out[k]);
  }
  if (!out.warmup) out.warmup = Math.max(out.concurrency, 1000);
  if (!out["channel-arn"] !== !out.bearer) throw new Error("--channel-arn and --bearer go together");
  return out;
}

function percentile(values, p) {
  if (values.length === 0) return 0;
  const v = Float64Array.from(values).sort();
  return v[Math.min(v.length - 1, Math.floor(p * v.length))];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tls = args.endpoint.startsWith("https:");
  let connections = 0;
  const agentOptions = { keepAlive: true, maxSockets: args.concurrency };
  if (tls) {
    if (args["ca-bundle"]) agentOptions.ca = readFileSync(args["ca-bundle"]);
    if (args["no-verify-ssl"]) agentOptions.rejectUnauthorized = false;
  }
  const agent = tls ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (...a) => { ++connections; return create(...a); };
  const config = {
    region: args.region,
    endpoint: args.endpoint,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID || "AKIDEXAMPLE",
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
    },
    requestHandler: new NodeHttpHandler(tls ? { httpsAgent: agent } : { httpAgent: agent }),
  };
  const messaging = new ChimeSDKMessagingClient(config);

  let channel = args["channel-arn"], bearer = args.bearer;
  if (!channel) {
    const ids = new ChimeSDKIdentityClient(config);
    const app = (await ids.send(new CreateAppInstanceCommand({ Name: "bench-js" }))).AppInstanceArn;
    bearer = (await ids.send(new CreateAppInstanceUserCommand({
      AppInstanceArn: app, AppInstanceUserId: "bench-js", Name: "bench-js" }))).AppInstanceUserArn;
    channel = (await messaging.send(new CreateChannelCommand({
      AppInstanceArn: app, Name: "bench-js", ChimeBearer: bearer }))).ChannelArn;
  }

  let firstError = null;
  async function phase(total, latencies) {
    let remaining = total, errors = 0;
    async function loop() {
      while (remaining > 0) {
        --remaining;
        const t0 = performance.now();
        try {
          await messaging.send(new SendChannelMessageCommand({
            ChannelArn: channel, Content: "hello world", Type: "STANDARD", Persistence: "PERSISTENT",
            ChimeBearer: bearer }));
        } catch (e) {
          ++errors;
          firstError ??= e;
        }
        latencies?.push(performance.now() - t0);
      }
    }
    await Promise.all(Array.from({ length: args.concurrency }, loop));
    return errors;
  }

  await phase(args.warmup, null);
  const latencies = [];
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const errors = await phase(args.calls, latencies);
  const wall = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  if (firstError) console.error(`aws-sdk-js-v3: the first error: ${firstError.name}: ${firstError.message}`);
  console.log(`aws-sdk-js-v3 op=send-channel-message calls=${args.calls} conc=${args.concurrency} ` +
    `wall_s=${wall.toFixed(3)} cpu_s=${cpuS.toFixed(3)} calls_per_cpu_s=${Math.round(args.calls / cpuS)} ` +
    `p50_ms=${percentile(latencies, 0.5).toFixed(3)} p99_ms=${percentile(latencies, 0.99).toFixed(3)} ` +
    `connections=${connections} errors=${errors}`);
  agent.destroy();
}

main().catch((e) => {
  console.error(`send-channel-message.mjs: ${e.message}`);
  process.exit(2);
});
