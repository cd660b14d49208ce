// What a verified GitHub webhook delivery asks of Patchbay: nothing (an event it does not act on), a ping, a
// mention in an issue or pull request comment, or a pull request to review. Only the fields Patchbay uses
// are read (zod), so the rest of GitHub's payload may change freely.
import { z } from "zod";

/** The handle people write to ask Patchbay for something, as in "@patchbay fix the flaky date test". */
export const MENTION = "@patchbay";

/** Patchbay's own comments start with this marker, so a reply that quotes a mention never triggers one. */
export const REPLY_MARKER = "<!-- patchbay -->";

const user = z.object({ login: z.string(), id: z.number() });
const repository = z.object({ full_name: z.string() });

const issueComment = z.object({
  action: z.string(),
  issue: z.object({
    number: z.number(),
    title: z.string(),
    body: z.string().nullable().optional(),
    html_url: z.string(),
    pull_request: z.unknown().optional(),
  }),
  comment: z.object({ id: z.number(), body: z.string(), html_url: z.string(), user }),
  repository,
});

const pullRequest = z.object({
  action: z.string(),
  number: z.number(),
  pull_request: z.object({
    html_url: z.string(),
    title: z.string(),
    draft: z.boolean().optional(),
    user,
    head: z.object({ ref: z.string(), sha: z.string(), repo: repository.nullable() }),
    base: z.object({ ref: z.string() }),
  }),
  repository,
});

/** The pull request events that mean "there is new code to review". */
const REVIEWED_ACTIONS = new Set(["opened", "synchronize", "reopened", "ready_for_review"]);

export type Mention = {
  kind: "mention";
  repository: string;
  /** The comment's id, part of the signed body: one comment starts one task, whatever its delivery id says. */
  commentId: number;
  number: number;
  onPullRequest: boolean;
  issueTitle: string;
  issueBody: string;
  request: string;
  actor: { login: string; id: number };
  url: string;
};

export type ReviewRequest = {
  kind: "review";
  repository: string;
  number: number;
  title: string;
  headSha: string;
  headBranch: string;
  baseBranch: string;
  draft: boolean;
  fromFork: boolean;
  author: string;
  url: string;
};

export type GitHubDelivery =
  | Mention
  | ReviewRequest
  | { kind: "ping"; repository: string | null }
  | { kind: "ignored"; repository: string | null; reason: string; summary: string };

/**
 * The request after the first mention, or null when the comment does not mention Patchbay. A mention in a
 * quoted line (a reply quoting an earlier request) or in a code block asks for nothing, and "@patchbay-bot"
 * is someone else; what follows the mention is the request, code blocks included.
 */
export function mentionRequest(body: string): string | null {
  if (body.startsWith(REPLY_MARKER)) return null;
  const ignored = [...body.matchAll(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$|^[ \t]*>.*$/gm)].map((match) => [match.index, match.index + match[0].length]);
  const mention = new RegExp(`(?:^|\\s)(${MENTION})(?=[\\s:,]|$)[ \\t:,]*`, "gi");
  for (const match of body.matchAll(mention)) {
    const at = match.index + match[0].indexOf(match[1] ?? MENTION);
    if (ignored.some(([from = 0, to = 0]) => at >= from && at < to)) continue;
    return body.slice(match.index + match[0].length).trim();
  }
  return null;
}

export function readGitHubDelivery(event: string, payload: unknown): GitHubDelivery {
  const repositoryName = repository.safeParse((payload as { repository?: unknown } | null)?.repository).data?.full_name ?? null;
  const ignored = (reason: string, summary = event) => ({ kind: "ignored" as const, repository: repositoryName, reason, summary });
  if (event === "ping") return { kind: "ping", repository: repositoryName };
  if (event === "issue_comment") {
    const parsed = issueComment.safeParse(payload);
    if (!parsed.success) return ignored("the issue_comment payload lacks the fields Patchbay reads");
    const { action, issue, comment } = parsed.data;
    const summary = `comment by ${comment.user.login} on #${issue.number}`;
    if (action !== "created") return ignored(`a comment ${action} is not a new request`, summary);
    const request = mentionRequest(comment.body);
    if (request === null) return ignored(`the comment does not mention ${MENTION}`, summary);
    return {
      kind: "mention",
      repository: parsed.data.repository.full_name,
      commentId: comment.id,
      number: issue.number,
      onPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
      issueTitle: issue.title,
      issueBody: issue.body ?? "",
      request,
      actor: comment.user,
      url: comment.html_url,
    };
  }
  if (event === "pull_request") {
    const parsed = pullRequest.safeParse(payload);
    if (!parsed.success) return ignored("the pull_request payload lacks the fields Patchbay reads");
    const { action, number, pull_request: pull } = parsed.data;
    if (!REVIEWED_ACTIONS.has(action)) return ignored(`a pull request ${action.replaceAll("_", " ")} brings no new code to review`, `pull request #${number}`);
    return {
      kind: "review",
      repository: parsed.data.repository.full_name,
      number,
      title: pull.title,
      headSha: pull.head.sha,
      headBranch: pull.head.ref,
      baseBranch: pull.base.ref,
      draft: pull.draft === true,
      fromFork: pull.head.repo?.full_name.toLowerCase() !== parsed.data.repository.full_name.toLowerCase(),
      author: pull.user.login,
      url: pull.html_url,
    };
  }
  return ignored(`GitHub's ${event} event is not one Patchbay acts on`);
}
