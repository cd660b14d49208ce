// Where each forge shows a pull request on the web, and where its repository advertises the PR's head, so a
// PR opened outside Patchbay can be reviewed by its address: the worker fetches that ref with the mirror.
import { AppError } from "@/lib/errors";
import { type ForgeKind, forgeName, forgeRepositoryPath } from "./forge-connection";

type ForgeWithPullRequests = Exclude<ForgeKind, "git">;

/** The web path of PR `N` under the repository's path, per forge. */
const WEB_PATH: Record<ForgeWithPullRequests, { pattern: string; example: string }> = {
  github: { pattern: "/pull/(\\d{1,9})", example: "/pull/<number>" },
  gitlab: { pattern: "/-/merge_requests/(\\d{1,9})", example: "/-/merge_requests/<number>" },
  gitea: { pattern: "/pulls/(\\d{1,9})", example: "/pulls/<number>" },
};

/**
 * The number of the PR at `url`, which must be one of the environment's own repository on its forge
 * (same host, same repository path); anything else is refused with the address it expects.
 */
export function pullRequestNumberFromUrl(kind: ForgeKind | undefined, repoUrl: string, url: string): number {
  if (!kind || kind === "git") {
    throw new AppError(
      "bad_request",
      "Reviewing a pull request by its address needs the environment connected to GitHub, GitLab or Gitea (Pull requests on the environment page).",
    );
  }
  const repository = forgeRepositoryPath(repoUrl);
  // The web host: that of https://host[:port]/…, or of ssh://git@host[:port]/… and git@host:owner/repo,
  // whose port is ssh's, not the web's.
  const repoHost = (/^https?:\/\/(?:[^@/]+@)?([^/]+)/i.exec(repoUrl) ??
    /^ssh:\/\/(?:[^@/]+@)?([^/:]+)/i.exec(repoUrl) ??
    /^[^@/]+@([^:/]+):/.exec(repoUrl))?.[1];
  // The PR's tabs (/files, /diffs, /commits…) and an anchor name the same PR.
  const match = new RegExp(`^https?://([^/]+)/(.+?)${WEB_PATH[kind].pattern}(?:/[a-z]+)?/?(?:[?#].*)?$`, "i").exec(url.trim());
  if (!match || match[2]?.toLowerCase() !== repository.toLowerCase() || match[1]?.toLowerCase() !== repoHost?.toLowerCase()) {
    throw new AppError(
      "bad_request",
      `"${url}" is not a ${kind === "gitlab" ? "merge request" : "pull request"} of this environment's repository on ${forgeName(kind)} (expected https://${repoHost ?? "host"}/${repository}${WEB_PATH[kind].example}).`,
    );
  }
  return Number(match[3]);
}

/** The ref the forge keeps at PR `number`'s head: GitHub and Gitea refs/pull/N/head, GitLab refs/merge-requests/N/head. */
export function pullRequestHeadRef(kind: ForgeKind | undefined, number: number): string {
  return kind === "gitlab" ? `refs/merge-requests/${number}/head` : `refs/pull/${number}/head`;
}
