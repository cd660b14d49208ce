// An imitation of Slack's Web API for integration tests: the methods Patchbay's Slack client calls
// (users.info, chat.postMessage, chat.getPermalink), on a 127.0.0.1 address given to @slack/web-api as its
// slackApiUrl, so the real SDK's requests are what arrive.
//
// What it is held to: Slack publishes each method's arguments and errors on docs.slack.dev, and
// @slack/web-api's argument and response types are written from them. Requests must come as Slack takes
// them (POST, form-encoded, the bot token as a Bearer header); each method's arguments are checked against
// ARGUMENTS below, whose keys the compiler holds to the SDK's argument type, and each argument's JSON type is
// checked (blocks as a JSON array of known block types with their required fields). A request that breaks
// these is answered as Slack answers (ok: false with its error code) and recorded in `violations`, which
// tests expect to stay empty. Answers are built as the SDK's response types (`satisfies`).
//
// Not imitated: anything but the three methods, pagination, message formatting, per-method rate tiers (a
// test asks for failures with failNext), and Enterprise Grid.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatGetPermalinkArguments, ChatGetPermalinkResponse, ChatPostMessageResponse, UsersInfoArguments, UsersInfoResponse } from "@slack/web-api";

export type SlackMember = { id: string; name: string; email: string | null };
export type PostedMessage = { channel: string; ts: string; threadTs: string | null; text: string; blocks: { type: string; [key: string]: unknown }[] | null };

export type SlackImitation = {
  /** The Web API's base address (slackApiUrl), ending in /api/. */
  apiUrl: string;
  botToken: string;
  /** The app's own member id: a mention of it is <@botUserId>. */
  botUserId: string;
  addMember(member: Omit<SlackMember, "id"> & { id?: string }): SlackMember;
  /** A channel the app is in (it may post there); other channels answer not_in_channel. */
  addChannel(id: string): void;
  /** A person's message in `channel` (a mention, a command's channel message): its ts, which Patchbay answers under. */
  personMessage(channel: string): string;
  messages: PostedMessage[];
  violations: string[];
  /**
   * The next calls of `method` (those whose arguments `when` accepts) answer these statuses in turn: 429 with
   * Retry-After 1, or a 5xx.
   */
  failNext(method: string, statuses: number[], when?: (args: Record<string, unknown>) => boolean): void;
  close(): Promise<void>;
};

type Known<T> = { [K in keyof Required<T>]: "string" | "boolean" | "array" };

// The arguments Patchbay may send, each with its JSON type. The `satisfies` holds the keys to the SDK's own
// argument types, so a key Slack does not document does not compile here.
const USERS_INFO = { user: "string", include_locale: "boolean", token: "string" } satisfies Known<UsersInfoArguments>;
const GET_PERMALINK = { channel: "string", message_ts: "string", token: "string" } satisfies Known<ChatGetPermalinkArguments>;
// ChatPostMessageArguments is a union (text or blocks or attachments…): its documented keys are listed by hand.
const POST_MESSAGE: Record<string, "string" | "boolean" | "array"> = {
  channel: "string",
  text: "string",
  blocks: "array",
  attachments: "array",
  thread_ts: "string",
  reply_broadcast: "boolean",
  unfurl_links: "boolean",
  unfurl_media: "boolean",
  mrkdwn: "boolean",
  parse: "string",
  link_names: "boolean",
  username: "string",
  icon_emoji: "string",
  icon_url: "string",
  metadata: "string",
  token: "string",
};
const REQUIRED: Record<string, string[]> = { "users.info": ["user"], "chat.postMessage": ["channel"], "chat.getPermalink": ["channel", "message_ts"] };
const ARGUMENTS: Record<string, Record<string, "string" | "boolean" | "array">> = {
  "users.info": USERS_INFO,
  "chat.postMessage": POST_MESSAGE,
  "chat.getPermalink": GET_PERMALINK,
};

export async function startSlackImitation(): Promise<SlackImitation> {
  const botToken = "xoxb-imitation-0123456789";
  const botUserId = "U0PATCHBAY";
  const members = new Map<string, SlackMember>();
  const channels = new Set<string>();
  const messages: PostedMessage[] = [];
  const violations: string[] = [];
  const failures = new Map<string, { statuses: number[]; when: (args: Record<string, unknown>) => boolean }>();
  let clock = 1_700_000_000;
  let nextMember = 1;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      violations.push(`imitation error: ${String(error)}`);
      response.writeHead(500).end();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answer = (body: Record<string, unknown>, status = 200) => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
    };
    const method = (request.url ?? "").replace(/^\/api\//, "").split("?")[0] ?? "";
    const known = ARGUMENTS[method];
    if (request.method !== "POST" || !known) {
      violations.push(`${request.method} ${request.url}: not a method the imitation serves`);
      return answer({ ok: false, error: "unknown_method" }, 404);
    }
    if (request.headers.authorization !== `Bearer ${botToken}`) return answer({ ok: false, error: "invalid_auth" });
    if (!String(request.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) {
      violations.push(`${method}: content type ${request.headers["content-type"]}`);
      return answer({ ok: false, error: "invalid_form_data" });
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    const args: Record<string, unknown> = {};
    for (const [key, value] of form) {
      const type = known[key];
      if (!type) {
        violations.push(`${method}: unknown argument ${key}`);
        return answer({ ok: false, error: "invalid_arguments" });
      }
      // The SDK sends booleans as "true"/"false" and arrays as JSON text, as Slack's form encoding takes them.
      const parsed = type === "boolean" ? value === "true" || value === "1" : type === "array" ? JSON.parse(value) : value;
      if (type === "array" && !Array.isArray(parsed)) {
        violations.push(`${method}: ${key} is not a JSON array`);
        return answer({ ok: false, error: "invalid_arguments" });
      }
      args[key] = parsed;
    }
    const failing = failures.get(method);
    const failure = failing?.when(args) ? failing.statuses.shift() : undefined;
    if (failure === 429) {
      response.writeHead(429, { "retry-after": "1", "content-type": "application/json" }).end(JSON.stringify({ ok: false, error: "ratelimited" }));
      return;
    }
    if (failure) {
      response.writeHead(failure, { "content-type": "text/plain" }).end("upstream unavailable");
      return;
    }
    for (const key of REQUIRED[method] ?? []) {
      if (!args[key]) {
        violations.push(`${method}: missing ${key}`);
        return answer({ ok: false, error: key === "channel" ? "channel_not_found" : "invalid_arguments" });
      }
    }
    if (method === "users.info") {
      const member = members.get(String(args.user));
      if (!member) return answer({ ok: false, error: "user_not_found" });
      return answer({
        ok: true,
        user: { id: member.id, name: member.name, profile: { ...(member.email ? { email: member.email } : {}), real_name: member.name } },
      } satisfies UsersInfoResponse);
    }
    if (method === "chat.getPermalink") {
      return answer({
        ok: true,
        channel: String(args.channel),
        permalink: `https://imitation.slack.test/archives/${String(args.channel)}/p${String(args.message_ts).replace(".", "")}`,
      } satisfies ChatGetPermalinkResponse);
    }
    const channel = String(args.channel);
    if (!channels.has(channel)) return answer({ ok: false, error: "not_in_channel" });
    const blocks = (args.blocks as PostedMessage["blocks"]) ?? null;
    if (!args.text && !blocks) {
      violations.push("chat.postMessage: neither text nor blocks");
      return answer({ ok: false, error: "no_text" });
    }
    for (const block of blocks ?? []) {
      const problem = blockProblem(block);
      if (problem) {
        violations.push(`chat.postMessage: ${problem}`);
        return answer({ ok: false, error: "invalid_blocks" });
      }
    }
    const threadTs = typeof args.thread_ts === "string" ? args.thread_ts : null;
    if (threadTs && !messages.some((message) => message.channel === channel && message.ts === threadTs) && !externalThreads.has(`${channel}/${threadTs}`)) {
      violations.push(`chat.postMessage: thread ${threadTs} does not exist in ${channel}`);
    }
    clock += 1;
    const ts = `${clock}.000100`;
    messages.push({ channel, ts, threadTs, text: String(args.text ?? ""), blocks });
    return answer({ ok: true, channel, ts, message: { text: String(args.text ?? ""), ts } } satisfies ChatPostMessageResponse);
  }

  // Threads started by people (the test's mentions), which Patchbay answers in.
  const externalThreads = new Set<string>();

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    botToken,
    botUserId,
    addMember(member) {
      const added = { id: member.id ?? `U0MEMBER${nextMember++}`, name: member.name, email: member.email };
      members.set(added.id, added);
      return added;
    },
    addChannel(id) {
      channels.add(id);
    },
    messages,
    violations,
    failNext(method, statuses, when = () => true) {
      failures.set(method, { statuses: [...statuses], when });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    personMessage(channel) {
      clock += 1;
      const ts = `${clock}.000200`;
      externalThreads.add(`${channel}/${ts}`);
      return ts;
    },
  };
}

/** Why a Block Kit block would be refused (invalid_blocks), for the block types Patchbay sends. */
function blockProblem(block: { type: string; [key: string]: unknown }): string | null {
  if (block.type === "section") {
    const text = block.text as { type?: string; text?: string } | undefined;
    if (!text || (text.type !== "mrkdwn" && text.type !== "plain_text") || !text.text) return "a section without a text object";
    if (text.text.length > 3000) return "a section's text is longer than 3000 characters";
    return null;
  }
  if (block.type === "image") {
    if (typeof block.image_url !== "string" || !/^https?:\/\//.test(block.image_url)) return "an image block without an http(s) image_url";
    if (typeof block.alt_text !== "string" || !block.alt_text) return "an image block without alt_text";
    return null;
  }
  return `a block of type ${block.type}, which Patchbay does not send`;
}
