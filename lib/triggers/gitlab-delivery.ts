// What a verified GitLab webhook delivery asks of Patchbay, in the same shapes as GitHub's (github-delivery.ts):
// a mention in a comment ("Note Hook") on an issue or a merge request, or a merge request to review ("Merge
// Request Hook"). Only the fields Patchbay reads are parsed (zod); the payloads are those of GitLab's docs,
// "Webhook events" (https://docs.gitlab.com/user/project/integrations/webhook_events/), which gitbeaker types as
// WebhookIssueNoteEventSchema, WebhookMergeRequestNoteEventSchema and WebhookMergeRequestEventSchema.
//
// GitLab's issues and merge requests number apart (issue #3 and !3 are different things): a mention carries
// `onPullRequest`, and the reply goes to the issue's or the merge request's notes accordingly.
import { z } from "zod";
import { type GitHubDelivery, MENTION, mentionRequest } from "./github-delivery";

const user = z.object({ id: z.number(), username: z.string() });
const project = z.object({ path_with_namespace: z.string(), web_url: z.string().optional() });

const note = z.object({
  object_kind: z.literal("note"),
  user,
  project,
  object_attributes: z.object({
    id: z.number(),
    note: z.string(),
    noteable_type: z.string(),
    system: z.boolean().optional(),
    /** "create" or "update" since GitLab 16.11 (an edited comment is delivered too); absent before. */
    action: z.string().optional(),
    url: z.string(),
  }),
  issue: z.object({ iid: z.number(), title: z.string(), description: z.string().nullable().optional() }).optional(),
  merge_request: z.object({ iid: z.number(), title: z.string(), description: z.string().nullable().optional() }).optional(),
});

const mergeRequest = z.object({
  object_kind: z.literal("merge_request"),
  user,
  project,
  object_attributes: z.object({
    iid: z.number(),
    title: z.string(),
    url: z.string(),
    action: z.string().optional(),
    source_branch: z.string(),
    target_branch: z.string(),
    source_project_id: z.number(),
    target_project_id: z.number(),
    draft: z.boolean().optional(),
    work_in_progress: z.boolean().optional(),
    /** Present only when the update brought code (a push, an applied suggestion): GitLab's docs. */
    oldrev: z.string().optional(),
    last_commit: z.object({ id: z.string() }),
  }),
  changes: z.object({ draft: z.object({ previous: z.boolean().nullable(), current: z.boolean().nullable() }).optional() }).optional(),
});

/**
 * Reads a GitLab delivery. `event` is X-Gitlab-Event ("Note Hook", "Merge Request Hook"…), used for the
 * summary only: the body's object_kind says what it is.
 */
export function readGitLabDelivery(event: string, payload: unknown): GitHubDelivery {
  const repositoryName = project.safeParse((payload as { project?: unknown } | null)?.project).data?.path_with_namespace ?? null;
  const ignored = (reason: string, summary = event || "delivery") => ({ kind: "ignored" as const, repository: repositoryName, reason, summary });
  const kind = (payload as { object_kind?: unknown } | null)?.object_kind;
  if (kind === "note") {
    const parsed = note.safeParse(payload);
    if (!parsed.success) return ignored("the note payload lacks the fields Patchbay reads");
    const { object_attributes: attributes, issue, merge_request: onMergeRequest } = parsed.data;
    const target = attributes.noteable_type === "Issue" ? issue : attributes.noteable_type === "MergeRequest" ? onMergeRequest : undefined;
    const where = attributes.noteable_type === "MergeRequest" ? `!${target?.iid}` : `#${target?.iid}`;
    if (!target)
      return ignored(
        `a comment on a ${attributes.noteable_type.toLowerCase() || "thing"} is not one Patchbay acts on`,
        `comment by ${parsed.data.user.username}`,
      );
    const summary = `comment by ${parsed.data.user.username} on ${where}`;
    if (attributes.system) return ignored("a system note is not a request", summary);
    if (attributes.action && attributes.action !== "create") return ignored(`a comment ${attributes.action}d is not a new request`, summary);
    const request = mentionRequest(attributes.note);
    if (request === null) return ignored(`the comment does not mention ${MENTION}`, summary);
    return {
      kind: "mention",
      repository: parsed.data.project.path_with_namespace,
      commentId: attributes.id,
      number: target.iid,
      onPullRequest: attributes.noteable_type === "MergeRequest",
      issueTitle: target.title,
      issueBody: target.description ?? "",
      request,
      actor: { login: parsed.data.user.username, id: parsed.data.user.id },
      url: attributes.url,
    };
  }
  if (kind === "merge_request") {
    const parsed = mergeRequest.safeParse(payload);
    if (!parsed.success) return ignored("the merge request payload lacks the fields Patchbay reads");
    const { object_attributes: attributes, changes } = parsed.data;
    const action = attributes.action ?? "";
    const readied = action === "update" && changes?.draft?.previous === true && changes.draft.current === false;
    // "update" is any edit; only a push (oldrev present) or leaving draft brings something to review.
    const reviewable = action === "open" || action === "reopen" || (action === "update" && (attributes.oldrev !== undefined || readied));
    if (!reviewable) {
      const what = action === "update" ? "an update without new commits" : `a merge request ${action || "event"}`;
      return ignored(`${what} brings no new code to review`, `merge request !${attributes.iid}`);
    }
    return {
      kind: "review",
      repository: parsed.data.project.path_with_namespace,
      number: attributes.iid,
      title: attributes.title,
      headSha: attributes.last_commit.id,
      headBranch: attributes.source_branch,
      baseBranch: attributes.target_branch,
      draft: attributes.draft === true || attributes.work_in_progress === true,
      fromFork: attributes.source_project_id !== attributes.target_project_id,
      // The event's user: the author when it is opened, whoever pushed on an update. GitLab's payload names
      // the author by id only (author_id); skipping a bot by login works for the pushes it makes.
      author: parsed.data.user.username,
      // The merge request's address as GitLab shows it today (…/-/merge_requests/N), which the review task is
      // given; object_attributes.url may be the older form without "/-/" (GitLab's own docs example is).
      url: parsed.data.project.web_url ? `${parsed.data.project.web_url.replace(/\/+$/, "")}/-/merge_requests/${attributes.iid}` : attributes.url,
    };
  }
  return ignored(`GitLab's ${event || String(kind ?? "unknown")} event is not one Patchbay acts on`);
}
