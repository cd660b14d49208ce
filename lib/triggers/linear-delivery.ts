// What a verified Linear webhook delivery asks of Patchbay: work on an issue that was just assigned to the
// Patchbay user, or on a comment that mentions it; anything else is ignored, with the reason. Only the fields
// Patchbay uses are read (zod), so the rest of Linear's payload may change freely.
import { z } from "zod";

export type LinearRequest = {
  kind: "linear";
  issueId: string;
  /** e.g. ENG-123; "" when the delivery does not say (the worker reads it from the API). */
  identifier: string;
  title: string;
  description: string;
  url: string;
  actor: { id: string; name: string; email: string | null };
  /** What to do: the comment's text without the mention, or "" for an assignment. */
  request: string;
  commentId: string | null;
};

/** The Linear user that stands for Patchbay (LinearClient's viewer for the configured API key). */
export type LinearAgent = { userId: string; name: string; displayName?: string };

export type LinearDelivery = { kind: "linear-request"; work: LinearRequest; summary: string } | { kind: "ignored"; summary: string; reason: string };

/** The handle people may type in plain text, whatever the Linear user is called. */
const PLAIN_HANDLE = "patchbay";

// Field names and types as in Linear's webhook schema (EntityWebhookPayload, UserActorWebhookPayload,
// IssueWebhookPayload, CommentWebhookPayload with its IssueChildWebhookPayload).
const actorSchema = z.object({ id: z.string(), name: z.string().optional(), email: z.string().nullish(), type: z.string().optional() });

const envelope = z.object({ action: z.string(), type: z.string(), url: z.string().nullish(), actor: actorSchema.nullish() });

const issueDelivery = envelope.extend({
  type: z.literal("Issue"),
  data: z.object({
    id: z.string(),
    identifier: z.string(),
    title: z.string(),
    description: z.string().nullish(),
    url: z.string(),
    assigneeId: z.string().nullish(),
  }),
  updatedFrom: z.record(z.string(), z.unknown()).nullish(),
});

const commentDelivery = envelope.extend({
  type: z.literal("Comment"),
  data: z.object({
    id: z.string(),
    body: z.string(),
    issueId: z.string().nullish(),
    userId: z.string().nullish(),
    user: z.object({ id: z.string(), name: z.string(), email: z.string().nullish() }).nullish(),
    issue: z.object({ id: z.string(), identifier: z.string(), title: z.string(), url: z.string(), description: z.string().nullish() }).nullish(),
  }),
});

export function readLinearDelivery(payload: unknown, agent: LinearAgent): LinearDelivery {
  const head = envelope.safeParse(payload);
  if (!head.success) return ignored("Not a Linear delivery", `the body is not a Linear webhook payload: ${z.prettifyError(head.error)}`);
  const { type, action } = head.data;
  if (type === "Issue") return readIssueDelivery(payload, agent);
  if (type === "Comment") return readCommentDelivery(payload, agent);
  return ignored(`${type} ${action}`, `Patchbay acts on issues and comments only, not on ${type} events`);
}

function readIssueDelivery(payload: unknown, agent: LinearAgent): LinearDelivery {
  const parsed = issueDelivery.safeParse(payload);
  if (!parsed.success) return ignored("Malformed Issue delivery", `the Issue payload lacks what Patchbay reads: ${z.prettifyError(parsed.error)}`);
  const { action, data: issue, updatedFrom } = parsed.data;
  const label = `${issue.identifier} ${action}`;
  if (issue.assigneeId !== agent.userId) return ignored(label, `Issue ${action} that does not assign it to ${agent.name}`);
  // On update, updatedFrom holds the previous value of each changed property: no assigneeId there means the
  // issue was already Patchbay's and something else changed.
  const newlyAssigned = action === "create" || (action === "update" && !!updatedFrom && "assigneeId" in updatedFrom && updatedFrom.assigneeId !== agent.userId);
  if (!newlyAssigned) return ignored(label, `Issue ${action} that does not assign it to ${agent.name}: it was assigned already`);

  const who = actorOf(parsed.data.actor, null);
  return {
    kind: "linear-request",
    summary: `${issue.identifier} assigned to ${agent.name}${who.name ? ` by ${who.name}` : ""}: ${issue.title}`,
    work: {
      kind: "linear",
      issueId: issue.id,
      identifier: issue.identifier,
      title: issue.title,
      description: issue.description ?? "",
      url: issue.url,
      actor: who,
      request: "",
      commentId: null,
    },
  };
}

function readCommentDelivery(payload: unknown, agent: LinearAgent): LinearDelivery {
  const parsed = commentDelivery.safeParse(payload);
  if (!parsed.success) return ignored("Malformed Comment delivery", `the Comment payload lacks what Patchbay reads: ${z.prettifyError(parsed.error)}`);
  const { action, data: comment, url } = parsed.data;
  // A comment's url is its issue's url with #comment-<id>; the docs' example has no data.issue, only that.
  const issueUrl = comment.issue?.url ?? url?.replace(/#.*$/, "") ?? "";
  const identifier = comment.issue?.identifier ?? /\/issue\/([A-Za-z0-9]+-\d+)(?:\/|$)/.exec(issueUrl)?.[1] ?? "";
  const label = `Comment ${action}${identifier ? ` on ${identifier}` : ""}`;

  if (action !== "create") return ignored(label, `Comment ${action}: only new comments are read, so editing one does not start work twice`);
  const authorId = comment.userId ?? comment.user?.id ?? parsed.data.actor?.id;
  if (authorId === agent.userId) return ignored(label, `Comment written by ${agent.name} itself`);
  const issueId = comment.issueId ?? comment.issue?.id;
  if (!issueId) return ignored(label, "Comment that is not on an issue (a project update or document comment)");
  const mention = findMention(comment.body, agent);
  if (!mention) return ignored(label, `Comment without a mention of ${agent.name}`);

  const who = actorOf(parsed.data.actor, comment.user ?? (authorId ? { id: authorId, name: "" } : null));
  return {
    kind: "linear-request",
    summary: `${agent.name} mentioned${identifier ? ` on ${identifier}` : ""}${who.name ? ` by ${who.name}` : ""}`,
    work: {
      kind: "linear",
      issueId,
      identifier,
      title: comment.issue?.title ?? "",
      description: comment.issue?.description ?? "",
      url: issueUrl,
      actor: who,
      request: mention.rest,
      commentId: comment.id,
    },
  };
}

/**
 * Finds a mention of the agent in a comment's markdown and answers the text without it. Linear writes a user
 * mention as a link to the user's profile, https://linear.app/<workspace>/profiles/<username> (bare or as the
 * target of a markdown link); people also type a plain "@name" that Linear leaves as text.
 */
export function findMention(body: string, agent: LinearAgent): { rest: string } | null {
  const names = [agent.name, agent.displayName, PLAIN_HANDLE].filter((n): n is string => !!n).map((n) => n.toLowerCase());
  const profileUrl = String.raw`https?://linear\.app/[^/\s()\]]+/profiles/([^\s()\]]+?)/?`;
  const patterns = [
    new RegExp(String.raw`\[[^\]]*\]\(${profileUrl}\)`, "gi"),
    new RegExp(String.raw`<?${profileUrl}>?(?=[\s.,;:!?)]|$)`, "gi"),
    ...names.map((name) => new RegExp(String.raw`(^|[^\w@])@${escapeRegExp(name)}(?![\w-])`, "gi")),
  ];
  let found = false;
  let rest = body;
  for (const pattern of patterns) {
    rest = rest.replace(pattern, (match, captured: string) => {
      // Profile patterns capture the username; the "@name" patterns capture the character before the "@".
      const isProfile = match.includes("/profiles/");
      if (isProfile && !names.includes(safeDecode(captured).toLowerCase())) return match;
      found = true;
      return isProfile ? "" : captured;
    });
  }
  if (!found) return null;
  return {
    rest: rest
      .split("\n")
      .map((line) => line.replace(/[ \t]{2,}/g, " ").trim())
      .join("\n")
      .replace(/^[\s,:;-]+/, "")
      .trim(),
  };
}

function actorOf(
  actor: z.infer<typeof actorSchema> | null | undefined,
  fallback: { id: string; name: string; email?: string | null } | null,
): { id: string; name: string; email: string | null } {
  if (actor) return { id: actor.id, name: actor.name ?? "", email: actor.email ?? null };
  if (fallback) return { id: fallback.id, name: fallback.name, email: fallback.email ?? null };
  return { id: "", name: "", email: null };
}

function ignored(summary: string, reason: string): LinearDelivery {
  return { kind: "ignored", summary, reason };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
