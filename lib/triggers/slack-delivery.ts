// What a verified request from Slack asks of Patchbay: the Events API's URL check, a mention of the app in a
// channel, a message in a thread Patchbay answers in, or the `/patchbay <environment> <request>` command.
// Only the fields Patchbay uses are read (zod); the rest of Slack's payloads may change freely.
import { z } from "zod";

/** A request from Slack, as the worker acts on it (Trigger.work). */
export type SlackRequest = {
  kind: "slack";
  channel: string;
  /**
   * The thread Patchbay answers in: the mention's own thread (or the mention itself, which starts one). A
   * slash command has none until Patchbay's first answer, which becomes the thread.
   */
  threadTs: string | null;
  /** The Slack member who asked (U…); the worker looks up their e-mail to find their Patchbay account. */
  user: string;
  request: string;
  /** A message in a thread: it continues the thread's task when there is one. */
  inThread: boolean;
  /** Set by the worker: how a thread message continued its task. */
  continued?: "follow-up" | "steer";
};

const event = z.object({
  type: z.string(),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
  user: z.string().optional(),
  text: z.string().optional(),
  channel: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
});

const envelope = z.union([
  z.object({ type: z.literal("url_verification"), challenge: z.string() }),
  z.object({
    type: z.literal("event_callback"),
    event_id: z.string(),
    team_id: z.string().optional(),
    // The app's own member id in this workspace: how Patchbay recognises a mention of itself.
    authorizations: z.array(z.object({ user_id: z.string() })).optional(),
    event,
  }),
]);

export type SlackEventRead =
  | { kind: "url_verification"; challenge: string }
  | { kind: "mention" | "thread message"; eventId: string; channel: string; ts: string; threadTs: string | null; user: string; request: string }
  | { kind: "ignored"; reason: string };

/** A verified Events API body. */
export function readSlackEvent(payload: unknown): SlackEventRead {
  const parsed = envelope.safeParse(payload);
  if (!parsed.success) return { kind: "ignored", reason: "not an Events API request Patchbay reads" };
  const body = parsed.data;
  if (body.type === "url_verification") return { kind: "url_verification", challenge: body.challenge };
  const { event: item } = body;
  const botUser = body.authorizations?.[0]?.user_id ?? null;
  // Patchbay's own messages (and other apps') never start work: its replies would answer themselves.
  if (item.bot_id || item.subtype || !item.user || !item.channel || !item.ts) {
    return { kind: "ignored", reason: `${item.type}${item.subtype ? ` (${item.subtype})` : ""} from an app or without an author` };
  }
  const common = { eventId: body.event_id, channel: item.channel, ts: item.ts, threadTs: item.thread_ts ?? null, user: item.user };
  if (item.type === "app_mention") return { kind: "mention", ...common, request: slackText(item.text ?? "", botUser) };
  if (item.type === "message") {
    // A mention arrives twice (app_mention and message): the app_mention is the one acted on.
    if (botUser && item.text?.includes(`<@${botUser}>`)) return { kind: "ignored", reason: "a mention, answered as app_mention" };
    if (!item.thread_ts) return { kind: "ignored", reason: "a channel message outside any thread" };
    return { kind: "thread message", ...common, request: slackText(item.text ?? "", botUser) };
  }
  return { kind: "ignored", reason: `${item.type} events start nothing` };
}

const command = z.object({
  command: z.string(),
  text: z.string().default(""),
  user_id: z.string(),
  channel_id: z.string(),
  trigger_id: z.string(),
});

export type SlashCommandRead =
  | { kind: "command"; command: string; name: string; request: string; user: string; channel: string; triggerId: string }
  | { kind: "invalid"; reason: string };

/** A verified slash command (form-encoded): `/patchbay <environment> <request>`. */
export function readSlashCommand(form: URLSearchParams): SlashCommandRead {
  const parsed = command.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { kind: "invalid", reason: "not a slash command Patchbay reads" };
  const { text } = parsed.data;
  const [name = "", ...rest] = text.trim().split(/\s+/);
  return {
    kind: "command",
    command: parsed.data.command,
    name: name.toLowerCase(),
    request: slackText(rest.join(" "), null),
    user: parsed.data.user_id,
    channel: parsed.data.channel_id,
    triggerId: parsed.data.trigger_id,
  };
}

/**
 * A message as a person wrote it: Slack sends `<@U123>` for mentions, `<https://x|label>` for links and
 * escapes &, < and >. The app's own mention is dropped; other mentions and links stay readable.
 */
export function slackText(text: string, botUser: string | null): string {
  return text
    .replace(/<([^<>]+)>/g, (_match, inner: string) => {
      const [target = "", label] = inner.split("|");
      if (botUser && target === `@${botUser}`) return "";
      if (target.startsWith("@") || target.startsWith("#")) return label ? `${target[0]}${label}` : target;
      if (target.startsWith("!")) return label ?? `@${target.slice(1)}`;
      return label && label !== target ? `${label} (${target})` : target;
    })
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&")
    .replace(/[ \t]+/g, " ")
    .trim();
}
