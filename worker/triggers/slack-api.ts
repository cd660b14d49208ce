// Patchbay's calls to Slack's Web API (@slack/web-api), with the installation's bot token: who a member is
// (their e-mail, to find their Patchbay account) and posting an answer in a thread. The client never
// retries: the triggers queue does, with backoff, and records every try.
import { type Block, ErrorCode, type KnownBlock, WebClient } from "@slack/web-api";
import { AppError } from "@/lib/errors";

export type SlackApp = { botToken: string; apiUrl: string; timeoutMs: number };

function client(app: SlackApp): WebClient {
  return new WebClient(app.botToken, {
    slackApiUrl: app.apiUrl.endsWith("/") ? app.apiUrl : `${app.apiUrl}/`,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: app.timeoutMs,
  });
}

/** The e-mail of a Slack member, or null when the app may not read it (no users:read.email scope). */
export async function slackMemberEmail(app: SlackApp, user: string): Promise<string | null> {
  try {
    const answer = await client(app).users.info({ user });
    return answer.user?.profile?.email?.toLowerCase() ?? null;
  } catch (error) {
    throw slackProblem(error, "look up the Slack member");
  }
}

export type SlackMessage = { text: string; blocks?: (KnownBlock | Block)[] };

/** Posts `message` in the thread (or as a new message when there is none yet); answers with its ts and link. */
export async function postInSlack(
  app: SlackApp,
  place: { channel: string; threadTs: string | null },
  message: SlackMessage,
): Promise<{ ts: string; url: string | null }> {
  const web = client(app);
  try {
    const posted = await web.chat.postMessage({
      channel: place.channel,
      ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    if (!posted.ts) throw new AppError("internal", "Slack accepted the message without saying where it is.");
    const link = await web.chat.getPermalink({ channel: place.channel, message_ts: posted.ts }).catch(() => null);
    return { ts: posted.ts, url: link?.permalink ?? null };
  } catch (error) {
    throw slackProblem(error, "post in Slack");
  }
}

/** What Slack's error codes mean for the person who set Patchbay up. */
const ADVICE: Record<string, string> = {
  not_in_channel: "the Patchbay app is not in the channel: invite it (/invite @Patchbay)",
  channel_not_found: "the channel is unknown to the Patchbay app (a private channel needs the app invited)",
  invalid_auth: "PATCHBAY_SLACK_BOT_TOKEN is not a valid bot token for this workspace",
  not_authed: "PATCHBAY_SLACK_BOT_TOKEN is empty",
  account_inactive: "the Slack app's token was revoked; reinstall the app",
  token_revoked: "the Slack app's token was revoked; reinstall the app",
  missing_scope: "the Slack app lacks a scope (it needs chat:write, users:read and users:read.email)",
  is_archived: "the channel is archived",
  user_not_found: "the Slack member is unknown to the app",
};

/**
 * An AppError a person can act on. An error Slack gives for the request itself (an API error code) carries
 * status 400, so the queue stops trying: the same call would fail the same way. Rate limits, timeouts and
 * Slack's own outages are retried.
 */
function slackProblem(error: unknown, doing: string): Error {
  if (error instanceof AppError) return error;
  const failure = error as { code?: string; data?: { error?: string }; statusCode?: number; retryAfter?: number; message?: string };
  const code = failure.code;
  if (code === ErrorCode.PlatformError) {
    const slackCode = failure.data?.error ?? "unknown_error";
    return new AppError("bad_request", `Could not ${doing}: ${ADVICE[slackCode] ?? `Slack answered ${slackCode}`}.`, { cause: { status: 400, slackCode } });
  }
  if (code === ErrorCode.RateLimitedError) {
    return new AppError("rate_limited", `Could not ${doing}: Slack limits the app's calls; trying again in ${failure.retryAfter ?? "a few"} s.`, {
      cause: { status: 429 },
    });
  }
  if (code === ErrorCode.HTTPError) {
    const status = failure.statusCode ?? 502;
    return new AppError("internal", `Could not ${doing}: Slack answered HTTP ${status}.`, { cause: { status } });
  }
  return new AppError("internal", `Could not ${doing}: Slack could not be reached (${failure.message ?? String(error)}).`, { cause: { status: 503 } });
}
