// GitLab (gitlab.com or self-managed, API v4) through gitbeaker's resource classes. A pull request is a
// merge request here: its number is the MR's iid, a review is a set of draft notes published at once
// (GitLab's own "Submit review"), and checks are the head commit's statuses (one per CI job).
import {
  Commits,
  IssueNotes,
  MergeRequestDiscussions,
  MergeRequestDraftNotes,
  MergeRequestNotes,
  MergeRequests,
  type MergeRequestSchema,
} from "@gitbeaker/core";
import { createRequesterFn, type FormattedResponse, type ResponseBodyTypes } from "@gitbeaker/requester-utils";
import type { AppError } from "@/lib/errors";
import { forgeProblem, isTimeout } from "./forge-problem";
import type { ChecksState, ForgeClient, ForgeClientOptions, ForgePullRequest } from "./forge-types";

type Options = ForgeClientOptions & { apiBase: string; token: string; repository: string };

/** An answer other than 2xx, with GitLab's message (`{"message": …}` or `{"error": …}`). */
class GitLabAnswer extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`GitLab answered ${status}${detail ? `: ${detail}` : ""}`);
  }
}

/**
 * gitbeaker's requester, doing exactly one request: its default one retries 429 and 502 answers up to ten
 * times with growing pauses (minutes in all), where a publish has one timeout and one clear message.
 */
function requesterFor(fetchImpl: typeof fetch) {
  return createRequesterFn(
    async (_service, options) => options,
    async (endpoint, options = {}): Promise<FormattedResponse> => {
      const { prefixUrl, searchParams, method, headers, body, signal } = options as {
        prefixUrl: string;
        searchParams?: string;
        method?: string;
        headers?: Record<string, string>;
        body?: string;
        signal?: AbortSignal;
      };
      const url = new URL(endpoint, prefixUrl.endsWith("/") ? prefixUrl : `${prefixUrl}/`);
      url.search = searchParams ?? "";
      const response = await fetchImpl(url, { method, headers, body, signal });
      const text = response.status === 204 ? "" : await response.text();
      const json = (() => {
        try {
          return text ? (JSON.parse(text) as unknown) : null;
        } catch {
          return undefined;
        }
      })();
      if (!response.ok) {
        // OAuth-style answers (403 insufficient_scope) put the sentence in error_description.
        const answer = json as { message?: unknown; error?: unknown; error_description?: unknown } | null | undefined;
        const message = answer?.message ?? answer?.error_description ?? answer?.error;
        throw new GitLabAnswer(response.status, message === undefined ? text.slice(0, 300) : typeof message === "string" ? message : JSON.stringify(message));
      }
      return { body: (json === undefined ? text : json) as ResponseBodyTypes, headers: Object.fromEntries(response.headers), status: response.status };
    },
  );
}

/** GitLab's statuses that mean a job failed; "manual" waits for a person and is not counted as running. */
const FAILED = new Set(["failed", "canceled"]);
const RUNNING = new Set(["pending", "running", "created", "waiting_for_resource", "preparing", "scheduled"]);

export function createGitLabClient(options: Options): ForgeClient {
  const settings = {
    host: options.apiBase,
    token: options.token,
    queryTimeout: options.timeoutMs,
    requesterFn: requesterFor(options.fetch ?? fetch),
  };
  const mergeRequests = new MergeRequests(settings);
  const discussions = new MergeRequestDiscussions(settings);
  const drafts = new MergeRequestDraftNotes(settings);
  const commits = new Commits(settings);
  const issueNotes = new IssueNotes(settings);
  const mergeRequestNotes = new MergeRequestNotes(settings);
  const project = options.repository;
  /** The project's pages on the host (the API answers a note without its address). */
  const projectUrl = `${options.apiBase.replace(/\/+$/, "")}/${project}`;
  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw gitLabProblem(what, options, error);
    }
  };

  return {
    async findPullRequest(branch) {
      const found = await call("list merge requests", () =>
        mergeRequests.all({ projectId: project, sourceBranch: branch, orderBy: "created_at", sort: "desc", perPage: 20, maxPages: 1 }),
      );
      // Only an MR from this project's own branch: a fork's branch of the same name is someone else's.
      const own = found.find((mergeRequest) => mergeRequest.source_project_id === mergeRequest.target_project_id);
      return own ? toPullRequest(own) : null;
    },
    async createPullRequest(input) {
      return toPullRequest(
        await call("open the merge request", () => mergeRequests.create(project, input.branch, input.base, input.title, { description: input.body })),
      );
    },
    async updatePullRequest(iid, input) {
      return toPullRequest(await call("update the merge request", () => mergeRequests.edit(project, iid, { title: input.title, description: input.body })));
    },
    async getPullRequest(iid) {
      return toPullRequest(await call("read the merge request", () => mergeRequests.show(project, iid)));
    },
    async getChecks(sha) {
      const statuses = await call("read the commit's statuses", () => commits.allStatuses(project, sha));
      const counted = statuses.filter((status) => !(status.allow_failure && FAILED.has(status.status)));
      if (counted.length === 0) return statuses.length === 0 ? null : "success";
      if (counted.some((status) => FAILED.has(status.status))) return "failure";
      return (counted.some((status) => RUNNING.has(status.status)) ? "pending" : "success") satisfies ChecksState;
    },
    async listReviewComments(iid) {
      const threads = await call("list the merge request's threads", () => discussions.all(project, iid, { perPage: 100 }));
      // A thread's first note is its comment (the rest are replies). Resolved threads need nothing more, and
      // notes that are not on a line (general comments, system notes) have no anchor.
      return threads.flatMap((thread) => {
        const note = thread.notes?.[0];
        const position = note?.position as
          | { position_type?: string; new_path?: string; old_path?: string; new_line?: number | null; old_line?: number | null }
          | undefined;
        if (!note || note.system || note.type !== "DiffNote" || note.resolved || position?.position_type !== "text") return [];
        const line = position.new_line ?? position.old_line;
        const path = position.new_line ? position.new_path : position.old_path;
        if (typeof line !== "number" || !path) return [];
        return [
          {
            id: String(note.id),
            author: note.author?.username ?? "someone",
            path,
            line,
            side: position.new_line ? ("new" as const) : ("old" as const),
            body: note.body,
          },
        ];
      });
    },
    async listPullRequestFiles(iid) {
      // GET /projects/:id/merge_requests/:iid/diffs (GitLab 15.7+), a page of at most 100 files at a time.
      const diffs = await call("list the merge request's files", () => mergeRequests.allDiffs(project, iid, { perPage: 100 }));
      // A renamed file counts under both names: a path filter on either should see it.
      return [...new Set(diffs.flatMap((diff) => (diff.renamed_file ? [diff.new_path, diff.old_path] : [diff.new_path])))];
    },
    async commentOn(target, body) {
      // An issue's notes and a merge request's are apart, as are their numbers (#3 is not !3).
      if (target.onPullRequest) {
        const note = await call("comment on the merge request", () => mergeRequestNotes.create(project, target.number, body));
        return { url: `${projectUrl}/-/merge_requests/${target.number}#note_${note.id}` };
      }
      const note = await call("comment on the issue", () => issueNotes.create(project, target.number, body));
      return { url: `${projectUrl}/-/issues/${target.number}#note_${note.id}` };
    },
    async createReview(iid, input) {
      // A draft note is anchored in one version of the MR's diff: the one whose head is the reviewed commit.
      const versions = await call("read the merge request's versions", () => mergeRequests.allDiffVersions(project, iid));
      const version = versions.find((entry) => entry.head_commit_sha === input.commitId);
      if (!version) {
        const reason = `merge request !${iid} has no version at ${input.commitId.slice(0, 12)}, the commit that was reviewed; review it again`;
        throw gitLabProblem("post the review", options, new GitLabAnswer(409, reason));
      }
      const mergeRequest = await call("read the merge request", () => mergeRequests.show(project, iid));
      // Drafts wait for the token's user to publish them: if one fails, the ones made so far are removed, or
      // the next review's publish would post them a second time.
      const created: number[] = [];
      await call("post the review", async () => {
        try {
          if (input.body) created.push((await drafts.create(project, iid, input.body)).id);
          for (const comment of input.comments) {
            const draft = await drafts.create(project, iid, gitLabSuggestions(comment), {
              position: {
                baseSha: version.base_commit_sha,
                startSha: version.start_commit_sha,
                headSha: version.head_commit_sha,
                positionType: "text",
                newPath: comment.path,
                oldPath: comment.path,
                newLine: String(comment.line),
                ...(comment.oldLine !== null ? { oldLine: String(comment.oldLine) } : {}),
              },
            });
            created.push(draft.id);
          }
          await drafts.publishBulk(project, iid);
        } catch (error) {
          await Promise.allSettled(created.map((id) => drafts.remove(project, iid, id)));
          throw error;
        }
      });
      return { url: mergeRequest.web_url };
    },
  };
}

/**
 * GitLab's suggestion block names the lines it replaces relative to the commented one: a finding on lines
 * 10-12, anchored on 12, replaces "-2+0". GitHub's plain ```suggestion means the commented range instead.
 */
function gitLabSuggestions(comment: { line: number; startLine: number | null; body: string }): string {
  const above = comment.startLine === null ? 0 : comment.line - comment.startLine;
  return comment.body.replace(/^```suggestion$/gm, `\`\`\`suggestion:-${above}+0`);
}

function toPullRequest(
  mergeRequest: Pick<
    MergeRequestSchema,
    | "iid"
    | "web_url"
    | "state"
    | "sha"
    | "has_conflicts"
    | "detailed_merge_status"
    | "source_branch"
    | "target_branch"
    | "source_project_id"
    | "target_project_id"
  >,
): ForgePullRequest {
  // "locked" is GitLab's state while it merges (then "merged", or "opened" again if the merge fails): still
  // open. Read as closed, the row would never be refreshed again and would stay closed after the merge.
  const state = mergeRequest.state === "merged" ? "merged" : mergeRequest.state === "closed" ? "closed" : "open";
  return {
    number: mergeRequest.iid,
    url: mergeRequest.web_url,
    state,
    mergeable: state === "open" ? mergeability(mergeRequest) : null,
    headSha: mergeRequest.sha,
    headBranch: mergeRequest.source_branch,
    baseBranch: mergeRequest.target_branch,
    fromFork: mergeRequest.source_project_id !== mergeRequest.target_project_id,
  };
}

/** Whether git can merge it: a conflict says no; approvals, pipelines or drafts block a merge but are not conflicts. */
function mergeability(mergeRequest: Pick<MergeRequestSchema, "has_conflicts" | "detailed_merge_status">): boolean | null {
  const status: string = mergeRequest.detailed_merge_status;
  if (mergeRequest.has_conflicts || status === "conflict" || status === "need_rebase") return false;
  if (status === "checking" || status === "unchecked" || status === "preparing" || status === undefined) return null;
  return true;
}

function gitLabProblem(what: string, options: Options, error: unknown): AppError {
  return forgeProblem({
    forge: "GitLab",
    what,
    repository: options.repository,
    apiBase: options.apiBase,
    timeoutMs: options.timeoutMs,
    status: error instanceof GitLabAnswer ? error.status : undefined,
    detail: error instanceof GitLabAnswer ? error.detail : "",
    permissions: 'the "api" scope and at least the Developer role',
    timedOut: isTimeout(error),
    error,
  });
}
