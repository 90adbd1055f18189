// Interoperability proof for chime-local: the official AWS SDK for JavaScript v3 and the reference
// messaging-session client (amazon-chime-sdk-js DefaultMessagingSession) drive a chime-local program
// through a realistic scenario. Exit status 0 when every step behaved as against AWS.
//
// Usage: node interop.mjs <path to chime-local>     (run by CTest as js_sdk_interop)
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "node:https";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import * as msg from "@aws-sdk/client-chime-sdk-messaging";
import * as ids from "@aws-sdk/client-chime-sdk-identity";
import * as mtg from "@aws-sdk/client-chime-sdk-meetings";
import * as legacy from "chime-legacy";
import WS from "ws";
import { ConsoleLogger, DefaultMessagingSession, LogLevel, MessagingSessionConfiguration } from "amazon-chime-sdk-js";

const binary = process.argv[2];
if (!binary) {
  console.error("usage: node interop.mjs <chime-local>");
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "chime-interop-"));
const certFile = join(dir, "cert.pem");
const server = spawn(binary, ["--port", "0", "--cert-out", certFile], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (d) => {
    out += d;
    const m = /chime-local listening on (\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  server.on("exit", (code) => reject(new Error(`chime-local exited with ${code}`)));
});
const ca = readFileSync(certFile);

let failures = 0;
const check = (what, ok, detail = "") => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : " " + detail}`);
  if (!ok) failures++;
};

const config = {
  region: "us-east-1",
  endpoint: url,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
  requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca }) }),
  maxAttempts: 1,
};
const identity = new ids.ChimeSDKIdentityClient(config);
const messaging = new msg.ChimeSDKMessagingClient(config);
const meetings = new mtg.ChimeSDKMeetingsClient(config);
const chime = new legacy.ChimeClient(config);

try {
  // App instance, users, channel, membership.
  const { AppInstanceArn: ai } = await identity.send(new ids.CreateAppInstanceCommand({ Name: "interop", ClientRequestToken: "ai-1" }));
  check("CreateAppInstance returns an ARN", /^arn:aws:chime:us-east-1:\d{12}:app-instance\//.test(ai), ai);
  const user = async (id) =>
    (await identity.send(new ids.CreateAppInstanceUserCommand({ AppInstanceArn: ai, AppInstanceUserId: id, Name: id, ClientRequestToken: id })))
      .AppInstanceUserArn;
  const alice = await user("alice");
  const bob = await user("bob");
  check("CreateAppInstanceUser", bob === `${ai}/user/bob`, bob);
  const { ChannelArn: channel } = await messaging.send(
    new msg.CreateChannelCommand({ AppInstanceArn: ai, Name: "general ✓", Mode: "UNRESTRICTED", Privacy: "PUBLIC", ChimeBearer: alice, ClientRequestToken: "ch-1" }));
  await messaging.send(new msg.CreateChannelMembershipCommand({ ChannelArn: channel, MemberArn: bob, Type: "DEFAULT", ChimeBearer: alice }));
  const described = await messaging.send(new msg.DescribeChannelCommand({ ChannelArn: channel, ChimeBearer: bob }));
  check("DescribeChannel", described.Channel.Name === "general ✓" && described.Channel.CreatedTimestamp instanceof Date,
        JSON.stringify(described.Channel));

  // The reference messaging-session client, with a WebSocket that trusts chime-local's certificate.
  globalThis.WebSocket = class extends WS {
    constructor(address, protocols) { super(address, protocols, { ca }); }
  };
  const received = [];
  const session = new DefaultMessagingSession(
    new MessagingSessionConfiguration(bob, "interop-session", undefined, messaging),
    new ConsoleLogger("interop", LogLevel.WARN));
  let gotMessage;
  const messageArrived = new Promise((resolve) => { gotMessage = resolve; });
  let started = false;
  session.addObserver({
    messagingSessionDidStart: () => { started = true; },
    messagingSessionDidReceiveMessage: (m) => {
      received.push(m.type);
      if (m.type === "CREATE_CHANNEL_MESSAGE") gotMessage(JSON.parse(m.payload));
    },
  });
  await session.start(); // resolves on SESSION_ESTABLISHED
  await new Promise((r) => setTimeout(r, 50)); // observers are called on later ticks
  check("DefaultMessagingSession starts on SESSION_ESTABLISHED", started && received.includes("SESSION_ESTABLISHED"),
        received.join(","));

  // Messages, with pagination.
  for (let i = 0; i < 5; i++)
    await messaging.send(new msg.SendChannelMessageCommand({ ChannelArn: channel, Content: `hello ${i} + = ü`, Type: "STANDARD",
                                                             Persistence: "PERSISTENT", ChimeBearer: alice, ClientRequestToken: `m-${i}` }));
  const live = await Promise.race([messageArrived, new Promise((r) => setTimeout(() => r(null), 5000))]);
  check("a message sent over REST arrives on the websocket", live && live.Content === "hello 0 + = ü", JSON.stringify(live));
  session.stop();
  const seen = [];
  for await (const page of msg.paginateListChannelMessages({ client: messaging, pageSize: 2 },
                                                          { ChannelArn: channel, ChimeBearer: bob, SortOrder: "ASCENDING" }))
    seen.push(...page.ChannelMessages.map((m) => m.Content));
  check("paginateListChannelMessages walks 3 pages in order", seen.length === 5 && seen[4] === "hello 4 + = ü", JSON.stringify(seen));

  // Meetings and attendees.
  const { Meeting } = await meetings.send(new mtg.CreateMeetingCommand({ ClientRequestToken: "mt-1", MediaRegion: "us-east-1", ExternalMeetingId: "standup" }));
  const { Attendee } = await meetings.send(new mtg.CreateAttendeeCommand({ MeetingId: Meeting.MeetingId, ExternalUserId: "user-1" }));
  const list = await meetings.send(new mtg.ListAttendeesCommand({ MeetingId: Meeting.MeetingId }));
  check("meetings and attendees", list.Attendees.length === 1 && list.Attendees[0].AttendeeId === Attendee.AttendeeId &&
        Meeting.MediaPlacement.SignalingUrl.startsWith("wss://"), JSON.stringify(list));

  // Rooms (the `chime` service, SDK 3.699).
  const { Account } = await chime.send(new legacy.CreateAccountCommand({ Name: "team" }));
  const { User } = await chime.send(new legacy.CreateUserCommand({ AccountId: Account.AccountId, Email: "jane@example.com" }));
  const { Room } = await chime.send(new legacy.CreateRoomCommand({ AccountId: Account.AccountId, Name: "standup" }));
  await chime.send(new legacy.CreateRoomMembershipCommand({ AccountId: Account.AccountId, RoomId: Room.RoomId, MemberId: User.UserId }));
  const members = await chime.send(new legacy.ListRoomMembershipsCommand({ AccountId: Account.AccountId, RoomId: Room.RoomId }));
  check("rooms and memberships", members.RoomMemberships.length === 1 && members.RoomMemberships[0].Member.MemberId === User.UserId,
        JSON.stringify(members));

  // An error the SDK must recognise.
  try {
    await messaging.send(new msg.DescribeChannelCommand({ ChannelArn: channel, ChimeBearer: `${ai}/user/nobody` }));
    check("ForbiddenException for an unknown bearer", false, "no error");
  } catch (e) {
    check("ForbiddenException for an unknown bearer", e.name === "ForbiddenException" && e.$metadata.httpStatusCode === 403 &&
          e instanceof msg.ForbiddenException, `${e.name} ${e.message}`);
  }
  // And a signature it must refuse.
  const stranger = new ids.ChimeSDKIdentityClient({ ...config, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wrong" } });
  try {
    await stranger.send(new ids.ListAppInstancesCommand({}));
    check("a wrong secret is refused", false, "no error");
  } catch (e) {
    check("a wrong secret is refused", e.$metadata.httpStatusCode === 403 && e.name === "InvalidSignatureException", `${e.name}`);
  }
} catch (e) {
  check("scenario", false, e.stack);
} finally {
  server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
console.log(failures ? `${failures} step(s) failed` : "all steps passed");
process.exit(failures ? 1 : 0);
