// Gitea and Forgejo (which speaks the same API) through gitea-js, a client generated from Gitea's own swagger
// document. A review is one pull review with inline comments; checks are the head commit's combined status
// (Gitea Actions and external CI both report commit statuses).
import { type Api, giteaApi, type PullRequest } from "gitea-js";
import type { AppError } from "@/lib/errors";
import { forgeProblem, isTimeout } from "./forge-problem";
import type { ChecksState, ForgeClient, ForgeClientOptions, ForgePullRequest } from "./forge-types";

type Options = ForgeClientOptions & { apiBase: string; token: string; repository: string };

/** Gitea lists at most 50 per page; a task's PR was updated recently, so a few pages by recent update find it. */
const PAGE_SIZE = 50;
const PAGES_SEARCHED = 5;
/** A PR's changed files, at most this many pages of them (1,000 files) for the path filter. */
const FILE_PAGES = 20;

export function createGiteaClient(options: Options): ForgeClient {
  const [owner = "", repo = ""] = options.repository.split("/");
  const api: Api<unknown> = giteaApi(options.apiBase, { token: options.token, customFetch: options.fetch ?? fetch });
  const request = () => ({ signal: AbortSignal.timeout(options.timeoutMs) });
  const call = async <T>(what: string, run: () => Promise<{ data: T }>): Promise<T> => {
    try {
      return (await run()).data;
    } catch (error) {
      throw giteaProblem(what, options, error);
    }
  };

  return {
    async findPullRequest(branch) {
      for (let page = 1; page <= PAGES_SEARCHED; page += 1) {
        const pulls = await call("list pull requests", () =>
          api.repos.repoListPullRequests(owner, repo, { state: "all", sort: "recentupdate", page, limit: PAGE_SIZE }, request()),
        );
        // Only PRs from this repository's own branch: a fork's branch of the same name is someone else's.
        const found = pulls.find((pull) => headBranch(pull) === branch && pull.head?.repo_id === pull.base?.repo_id);
        if (found) return toPullRequest(found);
        if (pulls.length < PAGE_SIZE) break;
      }
      return null;
    },
    async createPullRequest(input) {
      const created = await call("open the pull request", () =>
        api.repos.repoCreatePullRequest(owner, repo, { head: input.branch, base: input.base, title: input.title, body: input.body }, request()),
      );
      return toPullRequest(created);
    },
    async updatePullRequest(number, input) {
      return toPullRequest(
        await call("update the pull request", () => api.repos.repoEditPullRequest(owner, repo, number, { title: input.title, body: input.body }, request())),
      );
    },
    async getPullRequest(number) {
      return toPullRequest(await call("read the pull request", () => api.repos.repoGetPullRequest(owner, repo, number, request())));
    },
    async getChecks(sha) {
      const combined = await call("read the checks", () => api.repos.repoGetCombinedStatusByRef(owner, repo, sha, {}, request()));
      if (!combined.total_count && !combined.statuses?.length) return null;
      const state: ChecksState = combined.state === "success" ? "success" : combined.state === "pending" || !combined.state ? "pending" : "failure";
      return state;
    },
    async listReviewComments(number) {
      const reviews = await call("list the reviews", () => api.repos.repoListPullReviews(owner, repo, number, {}, request()));
      const comments = [];
      for (const review of reviews) {
        if (!review.id || !review.comments_count) continue;
        const id = review.id;
        comments.push(...(await call("read a review's comments", () => api.repos.repoGetPullReviewComments(owner, repo, number, id, request()))));
      }
      // Gitea has no reply field: a thread is the comments on one line, and its first one is the comment.
      const seen = new Set<string>();
      return comments
        .sort((a, b) => (a.id ?? 0) - (b.id ?? 0))
        .flatMap((comment) => {
          const side = comment.position ? ("new" as const) : ("old" as const);
          const line = comment.position || comment.original_position;
          const anchor = `${comment.path}:${side}:${line}`;
          if (!comment.id || !comment.path || !line || seen.has(anchor)) return [];
          seen.add(anchor);
          return [{ id: String(comment.id), author: comment.user?.login ?? "someone", path: comment.path, line, side, body: comment.body ?? "" }];
        });
    },
    async listPullRequestFiles(number) {
      const files: string[] = [];
      for (let page = 1; page <= FILE_PAGES; page += 1) {
        const changed = await call("list the pull request's files", () =>
          api.repos.repoGetPullRequestFiles(owner, repo, number, { page, limit: PAGE_SIZE }, request()),
        );
        // A renamed file counts under both names: a path filter on either should see it.
        files.push(...changed.flatMap((file) => [file.filename ?? "", file.previous_filename ?? ""].filter(Boolean)));
        if (changed.length < PAGE_SIZE) break;
      }
      return [...new Set(files)];
    },
    async commentOn(target, body) {
      // A Gitea pull request is an issue: one comment endpoint for both, numbered in one series.
      const comment = await call("comment", () => api.repos.issueCreateComment(owner, repo, target.number, { body }, request()));
      return { url: comment.html_url ?? "" };
    },
    async createReview(number, input) {
      const review = await call("post the review", () =>
        api.repos.repoCreatePullReview(
          owner,
          repo,
          number,
          {
            body: input.body,
            commit_id: input.commitId,
            event: "COMMENT",
            // Gitea anchors a comment on one line of the new file; a range is anchored on its last line.
            comments: input.comments.map((comment) => ({ path: comment.path, body: comment.body, new_position: comment.line, old_position: 0 })),
          },
          request(),
        ),
      );
      return { url: review.html_url ?? "" };
    },
  };
}

function toPullRequest(pull: PullRequest): ForgePullRequest {
  const state = pull.merged ? "merged" : pull.state === "closed" ? "closed" : "open";
  return {
    number: pull.number ?? 0,
    url: pull.html_url ?? "",
    state,
    mergeable: state === "open" && typeof pull.mergeable === "boolean" ? pull.mergeable : null,
    headSha: pull.head?.sha ?? "",
    headBranch: headBranch(pull),
    baseBranch: pull.base?.ref ?? "",
    fromFork: pull.head?.repo_id !== pull.base?.repo_id,
  };
}

/** The PR's branch: `head.label`, since once the branch is deleted Gitea shows `head.ref` as refs/pull/N/head. */
function headBranch(pull: PullRequest): string {
  return pull.head?.label || pull.head?.ref || "";
}

/** gitea-js throws the Response itself, with `status` and Gitea's `{message}` as `error`. */
function giteaProblem(what: string, options: Options, error: unknown): AppError {
  const answer = error as { status?: number; error?: { message?: string } | null };
  const status = typeof answer?.status === "number" ? answer.status : undefined;
  return forgeProblem({
    forge: "Gitea",
    what,
    repository: options.repository,
    apiBase: options.apiBase,
    timeoutMs: options.timeoutMs,
    status,
    detail: status ? (answer.error?.message ?? "") : "",
    permissions: 'the "repository" permission set to read and write',
    timedOut: isTimeout(error),
    error,
  });
}
