// What a verified Gitea (or Forgejo) webhook delivery asks of Patchbay, in the same shapes as GitHub's
// (github-delivery.ts). Gitea names its events as GitHub does (X-Gitea-Event "issue_comment" for a comment on an
// issue or a pull request, "pull_request" for a pull request opened, pushed to…) and its payloads are
// modules/structs/hook.go's IssueCommentPayload and PullRequestPayload, built from the Issue, Comment,
// PullRequest, Repository and User that gitea-js types. Only the fields Patchbay reads are parsed (zod).
//
// A Gitea pull request is an issue too: issues and pull requests share their numbers, as on GitHub.
import { z } from "zod";
import { type GitHubDelivery, MENTION, mentionRequest } from "./github-delivery";

const user = z.object({ login: z.string(), id: z.number() });
const repository = z.object({ full_name: z.string() });

const issueComment = z.object({
  action: z.string(),
  issue: z.object({ number: z.number(), title: z.string(), body: z.string().nullable().optional(), pull_request: z.unknown().optional() }),
  comment: z.object({ id: z.number(), body: z.string(), html_url: z.string(), user }),
  repository,
  /** Whether the comment is on a pull request (Gitea sets it; issue.pull_request says the same). */
  is_pull: z.boolean().optional(),
});

const branch = z.object({ ref: z.string(), label: z.string().optional(), sha: z.string(), repo_id: z.number().optional() });

const pullRequest = z.object({
  action: z.string(),
  number: z.number(),
  pull_request: z.object({
    html_url: z.string(),
    title: z.string(),
    draft: z.boolean().optional(),
    user,
    head: branch,
    base: branch,
  }),
  repository,
});

/**
 * The pull request actions that bring code to review. Gitea spells a push "synchronized" (HookIssueSynchronized);
 * it has no "ready for review" action (a draft leaves draft by an edit of its title).
 */
const REVIEWED_ACTIONS = new Set(["opened", "reopened", "synchronized"]);

/** Reads a Gitea delivery; `event` is X-Gitea-Event (Forgejo also sends it, besides X-Forgejo-Event). */
export function readGiteaDelivery(event: string, payload: unknown): GitHubDelivery {
  const repositoryName = repository.safeParse((payload as { repository?: unknown } | null)?.repository).data?.full_name ?? null;
  const ignored = (reason: string, summary = event || "delivery") => ({ kind: "ignored" as const, repository: repositoryName, reason, summary });
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
      onPullRequest: parsed.data.is_pull === true || (issue.pull_request !== undefined && issue.pull_request !== null),
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
      // head.label is the branch's name (head.ref becomes refs/pull/N/head once the branch is gone).
      headBranch: pull.head.label || pull.head.ref,
      baseBranch: pull.base.ref,
      draft: pull.draft === true,
      fromFork: pull.head.repo_id !== pull.base.repo_id,
      author: pull.user.login,
      url: pull.html_url,
    };
  }
  return ignored(`Gitea's ${event || "unknown"} event is not one Patchbay acts on`);
}
