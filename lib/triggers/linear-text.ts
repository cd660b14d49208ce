// What the agent is given for a Linear request, and what Patchbay comments on the issue. Linear's comments are
// markdown, so the replies are the forge replies' words (reply-text.ts) without their REPLY_MARKER: Linear's
// markdown is not HTML, so an HTML comment may show as text. Nor is a marker needed there: Patchbay's comments
// are written by its Linear user, whose comments are never read as requests (readLinearDelivery).
import { REPLY_MARKER } from "./github-delivery";
import type { LinearRequest } from "./linear-delivery";
import { finishedReply, type ReplyInput, refusedReply, startedReply } from "./reply-text";
import type { ReplyKind } from "./triggers";

const MARKER_LINE = `${REPLY_MARKER}\n`;

/** The issue's description given to the agent, at most this long (as a GitHub issue's body). */
export const MAX_ISSUE_DESCRIPTION = 4000;

export type LinearIssueText = { identifier: string; title: string; description: string; url: string };

/**
 * The task's prompt. Its first line, the task's title, starts with the issue's identifier, so the pull request
 * and its branch carry it (Linear's GitHub integration links a PR whose title or branch names the issue).
 */
export function linearTaskPrompt(request: LinearRequest, issue: LinearIssueText): string {
  const identifier = issue.identifier || "Linear issue";
  const ask = request.request.trim();
  const description = issue.description.trim();
  const where = issue.url ? ` (${issue.url})` : "";
  return [
    `${identifier}: ${ask || issue.title}`,
    ask
      ? `This request comes from a comment on Linear issue ${identifier} "${issue.title}"${where}.`
      : `The Linear issue ${identifier} "${issue.title}"${where} was assigned to Patchbay: do what it asks.`,
    description ? `The issue says:\n${description.length > MAX_ISSUE_DESCRIPTION ? `${description.slice(0, MAX_ISSUE_DESCRIPTION)}…` : description}` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
}

/** One comment on the issue: when the task starts, when it will not run (and why), when it ends. */
export function linearReply(kind: ReplyKind, input: ReplyInput): string {
  const text = kind === "started" ? startedReply(input) : kind === "refused" ? refusedReply(input) : finishedReply(input);
  return text.startsWith(MARKER_LINE) ? text.slice(MARKER_LINE.length) : text;
}
