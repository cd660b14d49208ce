// GitHub (and GitHub Enterprise Server, whose API base is https://host/api/v3) through Octokit.
import { Octokit } from "@octokit/rest";
import type { AppError } from "@/lib/errors";
import { forgeProblem, isTimeout } from "./forge-problem";
import type { ForgeClient, ForgeClientOptions, ForgePullRequest } from "./forge-types";

type GitHubPull = {
  number: number;
  html_url: string;
  state: string;
  merged?: boolean;
  merged_at?: string | null;
  mergeable?: boolean | null;
  head: { sha: string; ref: string; repo: { full_name: string } | null };
  base: { ref: string; repo: { full_name: string } };
};

const FAILED = new Set(["failure", "timed_out", "cancelled", "action_required"]);

export function createGitHubClient(options: ForgeClientOptions & { apiBase: string; token: string; repository: string }): ForgeClient {
  const [owner = "", repo = ""] = options.repository.split("/");
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.apiBase,
    userAgent: "patchbay",
    // Octokit would otherwise sleep and retry on its own; a publish has one timeout and one clear message.
    request: { ...(options.fetch ? { fetch: options.fetch } : {}), retries: 0 },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const request = () => ({ signal: AbortSignal.timeout(options.timeoutMs) });
  const call = async <T>(what: string, run: () => Promise<{ data: T }>): Promise<T> => {
    try {
      return (await run()).data;
    } catch (error) {
      throw gitHubProblem(what, options, error);
    }
  };

  return {
    async findPullRequest(branch) {
      const pulls = await call("list pull requests", () =>
        octokit.rest.pulls.list({ owner, repo, head: `${owner}:${branch}`, state: "all", per_page: 1, request: request() }),
      );
      const found = pulls[0];
      return found ? toPullRequest(found) : null;
    },
    async createPullRequest(input) {
      const created = await call("open the pull request", () =>
        octokit.rest.pulls.create({ owner, repo, head: input.branch, base: input.base, title: input.title, body: input.body, request: request() }),
      );
      return toPullRequest(created);
    },
    async updatePullRequest(number, input) {
      const updated = await call("update the pull request", () =>
        octokit.rest.pulls.update({ owner, repo, pull_number: number, title: input.title, body: input.body, request: request() }),
      );
      return toPullRequest(updated);
    },
    async listReviewComments(number) {
      const comments = await call("list the review comments", async () => ({
        data: await octokit.paginate(octokit.rest.pulls.listReviewComments, { owner, repo, pull_number: number, per_page: 100, request: request() }),
      }));
      // Replies belong to their thread's first comment; a comment whose line is gone (line null) is outdated.
      return comments.flatMap((comment) =>
        comment.in_reply_to_id || typeof comment.line !== "number"
          ? []
          : [
              {
                id: String(comment.id),
                author: comment.user?.login ?? "someone",
                path: comment.path,
                line: comment.line,
                side: comment.side === "LEFT" ? ("old" as const) : ("new" as const),
                body: comment.body,
              },
            ],
      );
    },
    async createReview(number, input) {
      const review = await call("post the review", () =>
        octokit.rest.pulls.createReview({
          owner,
          repo,
          pull_number: number,
          commit_id: input.commitId,
          event: "COMMENT",
          body: input.body,
          comments: input.comments.map((comment) => ({
            path: comment.path,
            line: comment.line,
            side: "RIGHT" as const,
            ...(comment.startLine !== null ? { start_line: comment.startLine, start_side: "RIGHT" as const } : {}),
            body: comment.body,
          })),
          request: request(),
        }),
      );
      return { url: review.html_url };
    },
    async getChecks(sha) {
      const { check_runs: runs } = await call("read the checks", () =>
        octokit.rest.checks.listForRef({ owner, repo, ref: sha, per_page: 100, request: request() }),
      );
      if (runs.length === 0) return null;
      if (runs.some((run) => run.conclusion && FAILED.has(run.conclusion))) return "failure";
      return runs.every((run) => run.status === "completed") ? "success" : "pending";
    },
    async listPullRequestFiles(number) {
      const files = await call("list the pull request's files", async () => ({
        data: await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: number, per_page: 100, request: request() }),
      }));
      // A renamed file counts under both names: a path filter on either should see it.
      return files.flatMap((file) => (file.previous_filename ? [file.filename, file.previous_filename] : [file.filename]));
    },
    async commentOn(target, body) {
      // A pull request is an issue to GitHub: one comment endpoint for both.
      const comment = await call("comment", () => octokit.rest.issues.createComment({ owner, repo, issue_number: target.number, body, request: request() }));
      return { url: comment.html_url };
    },
    async getPullRequest(number) {
      return toPullRequest(await call("read the pull request", () => octokit.rest.pulls.get({ owner, repo, pull_number: number, request: request() })));
    },
  };
}

function toPullRequest(pull: GitHubPull): ForgePullRequest {
  const merged = pull.merged === true || Boolean(pull.merged_at);
  return {
    number: pull.number,
    url: pull.html_url,
    state: merged ? "merged" : pull.state === "closed" ? "closed" : "open",
    mergeable: typeof pull.mergeable === "boolean" ? pull.mergeable : null,
    headSha: pull.head.sha,
    headBranch: pull.head.ref,
    baseBranch: pull.base.ref,
    fromFork: pull.head.repo?.full_name.toLowerCase() !== pull.base.repo.full_name.toLowerCase(),
  };
}

/** GitHub's answer in words a person can act on (Octokit's error carries the status and GitHub's message). */
function gitHubProblem(what: string, options: { apiBase: string; repository: string; timeoutMs: number }, error: unknown): AppError {
  const answer = (error as { response?: { data?: { message?: string; errors?: { message?: string }[] } } }).response?.data;
  return forgeProblem({
    forge: "GitHub",
    what,
    repository: options.repository,
    apiBase: options.apiBase,
    timeoutMs: options.timeoutMs,
    status: (error as { status?: number }).status,
    detail: [answer?.message, ...(answer?.errors ?? []).map((entry) => entry.message)].filter(Boolean).join("; "),
    permissions: '"Contents", "Pull requests" and, for webhook replies, "Issues" set to read and write',
    timedOut: isTimeout(error),
    error,
  });
}
