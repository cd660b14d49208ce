// A forge API call that failed, in words a person can act on. Each client (github-client.ts, gitlab-client.ts,
// gitea-client.ts) reads the status and the forge's own message out of its SDK's error; the wording, and
// which answer means what, is the same for all of them. The token never appears: no SDK echoes it.
import { AppError } from "@/lib/errors";

export type ForgeCallFailure = {
  /** "GitHub", "GitLab", "Gitea". */
  forge: string;
  /** What was asked, as in "when asked to open the pull request". */
  what: string;
  repository: string;
  apiBase: string;
  timeoutMs: number;
  /** The HTTP status of the forge's answer; undefined when there was none (unreachable, timed out). */
  status: number | undefined;
  /** The forge's own message, when it gave one. */
  detail: string;
  /** The token's permissions this forge needs, as its settings page names them. */
  permissions: string;
  timedOut: boolean;
  error: unknown;
};

export function forgeProblem(failure: ForgeCallFailure): AppError {
  const { forge, what, status, detail, error } = failure;
  const where = `${failure.repository} at ${failure.apiBase}`;
  const cause = { cause: error };
  if (failure.timedOut) {
    return new AppError("timeout", `${forge} did not answer within ${Math.round(failure.timeoutMs / 1000)} s when asked to ${what} (${where}).`, cause);
  }
  if (status === 401) {
    return new AppError(
      "repo_unreachable",
      `${forge} refused the environment's token (401) when asked to ${what}. Connect the remote again with a current token.`,
      cause,
    );
  }
  if (status === 403 || status === 404) {
    return new AppError(
      "repo_unreachable",
      `${forge} answered ${status}${detail ? ` (${detail})` : ""} when asked to ${what} on ${where}. The token needs access to this repository with ${failure.permissions}.`,
      cause,
    );
  }
  if (status === 409 || status === 422)
    return new AppError("bad_request", `${forge} could not ${what}: ${detail || `the request was refused (${status})`}.`, cause);
  if (status) return new AppError("repo_unreachable", `${forge} answered ${status} when asked to ${what}${detail ? ` (${detail})` : ""}.`, cause);
  const reason = (error as Error)?.message ?? String(error);
  return new AppError("repo_unreachable", `${forge} could not be reached at ${failure.apiBase} to ${what} (${reason}).`, cause);
}

/** Whether a fetch failed because its AbortSignal.timeout fired. */
export function isTimeout(error: unknown): boolean {
  const name = (error as Error)?.name;
  return name === "TimeoutError" || name === "AbortError";
}
