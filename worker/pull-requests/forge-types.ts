// What Patchbay asks of a forge, whichever it is (forge-client.ts picks the implementation).
import type { ReviewComment } from "@/lib/reviews/review-post-text";

export type ForgePullRequest = {
  number: number;
  url: string;
  state: "open" | "merged" | "closed";
  mergeable: boolean | null;
  /** The PR's head commit on the forge. */
  headSha: string;
  /** The branch it comes from and the one it merges into. */
  headBranch: string;
  baseBranch: string;
  /** Its head branch is in another repository (a fork), where Patchbay cannot push. */
  fromFork: boolean;
};

/** The checks (CI) on a commit, summed up: failure if any failed, pending while any runs; null when there are none. */
export type ChecksState = "pending" | "success" | "failure" | null;

/** Where a comment goes: issue or pull request `number`. */
export type CommentTarget = { number: number; onPullRequest: boolean };

export type ForgeClient = {
  /** The PR whose head is `branch`, in any state: a publish interrupted after opening it must not open a second. */
  findPullRequest(branch: string): Promise<ForgePullRequest | null>;
  createPullRequest(input: { branch: string; base: string; title: string; body: string }): Promise<ForgePullRequest>;
  updatePullRequest(number: number, input: { title: string; body: string }): Promise<ForgePullRequest>;
  getPullRequest(number: number): Promise<ForgePullRequest>;
  getChecks(sha: string): Promise<ChecksState>;
  /** The review comments on lines of the PR (not replies, not outdated ones), oldest first. */
  listReviewComments(number: number): Promise<{ id: string; author: string; path: string; line: number; side: "new" | "old"; body: string }[]>;
  /** One review with inline comments (lines of the commit `commitId`); returns the review's address. */
  createReview(number: number, input: { commitId: string; body: string; comments: ReviewComment[] }): Promise<{ url: string }>;
  /** For webhooks: the paths a PR changes (a renamed file under both names), for automatic review's path filter. */
  listPullRequestFiles?(number: number): Promise<string[]>;
  /**
   * For webhooks: a comment in an issue's or a PR's conversation; returns its address. `onPullRequest` says
   * which the number is: GitLab numbers issues and merge requests apart (GitHub and Gitea share one series).
   */
  commentOn?(target: CommentTarget, body: string): Promise<{ url: string }>;
};

export type ForgeClientOptions = { timeoutMs: number; fetch?: typeof fetch };
