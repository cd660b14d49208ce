// The queue's entry for a task's pull request: commit the task's change so far on its base commit as the
// next commit of its branch, push it with the environment's forge token (host side, never in a sandbox),
// then open the PR or bring its title and body up to date. Every failure is recorded on the PR with a
// message a person can act on; a push never overwrites commits Patchbay did not make.
import path from "node:path";
import { UnrecoverableError, type Job } from "bullmq";
import { AppError, isAppError } from "@/lib/errors";
import { openForgeConnection, pushUrl, pushUsername, forgeApiBase, forgeName } from "@/lib/forge/forge-connection";
import type { Logger } from "@/lib/logger";
import { previewReportSchema, shotStatus } from "@/lib/artifacts/preview-report";
import { SIGNED_LINK_TTL_MS, signedArtifactPath } from "@/lib/artifacts/signed-links";
import { commitMessage, pullRequestBody, type PullRequestTextInput, pullRequestTitle } from "@/lib/pull-requests/pull-request-text";
import {
  type PublishWork,
  loadPublishWork,
  openPullRequestsToRefresh,
  recordPullRequestState,
  recordBranchUpdate,
  recordUpdateTurn,
  startConflictTurn,
  markPullRequestPushing,
  recordPullRequestFailed,
  recordPullRequestPublished,
} from "@/lib/pull-requests/publish-work";
import { pullRequestJobSchema } from "@/lib/queue/contracts";
import { reviewPost } from "@/lib/reviews/review-post-text";
import { loadReviewPostWork, recordReviewPost } from "@/lib/reviews/review-tasks";
import { importForgeComments, recordCommentImport } from "@/lib/review-comments/review-comments";
import { createRedactor } from "@/lib/redact";
import { afterTriggeredPublish, afterTriggeredReviewPost } from "@/lib/triggers/trigger-outcomes";
import { checkRepoUrl } from "@/lib/repos/check-repo-url";
import { openRepoCredential } from "@/lib/repos/repo-credential";
import type { MirrorCache } from "@/worker/repos/mirror-cache";
import { withRemoteAccess } from "@/worker/repos/remote-access";
import { GitError } from "@/worker/repos/git";
import { commitPatch, fetchBranch, isAncestor, movePatch, type Person, pushBranch, remoteBranchTip, withScratchRepo } from "./branch-commits";
import { forgeClientFor } from "./forge-client";
import { type OpenedForge, withForgeToken } from "./forge-token";
import type { ForgeClient } from "./forge-types";

export type PullRequestProcessorDeps = {
  mirrors: MirrorCache;
  logger: Logger;
  /** PATCHBAY_SECRETS_KEY: opens the forge token and the repository credential. */
  secretsKey?: string;
  /** Each git command and each forge API call (PATCHBAY_GIT_TIMEOUT_SEC). */
  timeoutMs: number;
  /** PATCHBAY_ALLOW_LOCAL_REPOS: http:// and local addresses for pushes and forge APIs, for development. */
  allowLocal: boolean;
  /** PATCHBAY_PUBLIC_URL: the PR links back to its task. */
  publicUrl?: string;
  /** The forge SDK's fetch; tests pass none (the real one). */
  fetch?: typeof fetch;
};

const COMMITTER: Person = { name: "Patchbay", email: "patchbay@localhost" };

export function createPullRequestProcessor(deps: PullRequestProcessorDeps) {
  return async function processPullRequest(job: Job): Promise<void> {
    const parsed = pullRequestJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Invalid job payload: ${parsed.error.message}`);
    const { taskId, postReviewOf, importComments, updateBranch } = parsed.data;
    if (postReviewOf) return postReview(deps, taskId, postReviewOf);
    if (importComments) return importReviewComments(deps, taskId);
    if (updateBranch) return updateTaskBranch(deps, taskId);
    try {
      await publishPullRequest(deps, taskId);
    } catch (error) {
      const message = isAppError(error)
        ? error.userMessage
        : "The pull request could not be published because of an internal error; try again, and check the worker log if it persists.";
      if (!isAppError(error) || error.code === "internal") deps.logger.error({ err: error, taskId }, "pull request publish failed");
      await recordPullRequestFailed(taskId, message);
      throw new UnrecoverableError(message);
    } finally {
      // A task a comment asked for answers in that thread once its PR is out (or failed to be).
      await afterTriggeredPublish(taskId).catch((error: unknown) => deps.logger.warn({ err: error, taskId }, "could not queue the trigger's reply"));
    }
  };
}

export async function publishPullRequest(deps: PullRequestProcessorDeps, taskId: string): Promise<void> {
  const work = await loadPublishWork(taskId);
  if (!work) return;
  // A turn still running is pushed when it finishes (its attempt queues this job again).
  if (!work.finished) return;
  const { state } = work;
  if (!state.patch || !state.baseCommit) throw new AppError("bad_request", "The task changed no files, so there is nothing to put in a pull request.");
  const forge = await openForge(deps, work.environment.forge);
  if (!forge) throw new AppError("bad_request", "The environment's remote was disconnected. Connect it again on the environment page, then retry.");
  await markPullRequestPushing(taskId);

  const repoUrl = work.environment.repoUrl;
  const client = forgeClientFor(forge, repoUrl, clientOptions(deps));
  const { branch, baseBranch, number } = work.pullRequest;
  // A PR merged or closed on the forge takes no more commits (its branch may be gone): asked before pushing.
  if (client && number !== null && work.pullRequest.headCommit) {
    const current = await client.getPullRequest(number);
    if (current.state !== "open") {
      await recordPullRequestState(taskId, { status: current.state, mergeable: current.mergeable });
      if (work.turnCount > work.pullRequest.turns) {
        throw new AppError(
          "conflict",
          `Pull request #${number} was ${current.state} on ${forgeName(forge.kind)}, so the latest change was not pushed to it. Start a new task for further changes.`,
        );
      }
      await recordPullRequestPublished(taskId, work.pullRequest.requestedAt, {
        headCommit: work.pullRequest.headCommit,
        turns: work.pullRequest.turns,
        status: current.state,
        url: current.url,
        number,
        mergeable: current.mergeable,
      });
      return;
    }
  }
  const mirrorPath = await deps.mirrors.sync(repoUrl, openRepoCredential(work.environment.repoCredential, deps.secretsKey));
  const headCommit = await pushTaskBranch(deps, work, forge, mirrorPath);

  if (!client) {
    await recordPullRequestPublished(taskId, work.pullRequest.requestedAt, {
      headCommit,
      baseCommit: state.baseCommit,
      turns: work.turnCount,
      status: "pushed",
      url: null,
      number: null,
      mergeable: null,
    });
    return;
  }
  const title = pullRequestTitle(work.title);
  const body = pullRequestBody({
    taskTitle: work.title,
    turns: state.conversation,
    patch: state.patch,
    check: work.environment.checkCommand && state.checkPassed !== null ? { command: work.environment.checkCommand, passed: state.checkPassed } : null,
    taskUrl: deps.publicUrl ? `${deps.publicUrl}/tasks/${taskId}` : null,
    ...screenshotLinks(deps, state.previewReport),
    closesIssue: work.closesIssue,
  });
  // After an interruption between opening the PR and recording it, the forge already has it: found, not opened twice.
  const existing = number ? { number } : await client.findPullRequest(branch);
  // Someone else's PR (a comment on it asked for the change) keeps its author's title and description.
  const pull =
    existing && work.pullRequest.adopted
      ? await client.getPullRequest(existing.number)
      : existing
        ? await client.updatePullRequest(existing.number, { title, body })
        : await client.createPullRequest({ branch, base: baseBranch, title, body });
  await recordPullRequestPublished(taskId, work.pullRequest.requestedAt, {
    headCommit,
    baseCommit: state.baseCommit,
    turns: work.turnCount,
    status: pull.state,
    url: pull.url,
    number: pull.number,
    mergeable: pull.mergeable,
  });
}

/**
 * Posts a review task's findings to the reviewed task's pull request as one review: inline comments where
 * the lines are in the PR's diff, the rest in the review's body. The outcome is recorded on the review.
 */
export async function postReview(deps: PullRequestProcessorDeps, taskId: string, reviewTaskId: string): Promise<void> {
  const review = await loadReviewPostWork(reviewTaskId);
  if (!review || (review.reviewedTaskId ?? reviewTaskId) !== taskId) throw new UnrecoverableError("The review or its task no longer exists.");
  try {
    // Where it goes: the reviewed task's PR (its last push), or the reviewed PR at the head that was read.
    const work = review.reviewedTaskId ? await loadPublishWork(review.reviewedTaskId) : null;
    const target = review.pullRequest
      ? { ...review.pullRequest, environment: review.environment }
      : work?.pullRequest.number && work.pullRequest.headCommit
        ? { number: work.pullRequest.number, head: work.pullRequest.headCommit, patch: work.state.patch ?? "", environment: work.environment }
        : null;
    const client = target ? await storedApiClient(deps, target.environment) : null;
    if (!target || !client) throw new AppError("bad_request", "There is no pull request on a forge to post the review to.");
    const post = reviewPost(review.findings, target.patch, review.summary);
    const { url } = await client.createReview(target.number, { commitId: target.head, body: post.body, comments: post.comments });
    await recordReviewPost(review.attemptId, { status: "posted", url, comments: post.comments.length });
    await afterTriggeredReviewPost(reviewTaskId, { status: "posted", url });
  } catch (error) {
    const message = isAppError(error) ? error.userMessage : "The review could not be posted because of an internal error; check the worker log.";
    if (!isAppError(error)) deps.logger.error({ err: error, reviewTaskId }, "posting a review failed");
    await recordReviewPost(review.attemptId, { status: "failed", error: message });
    await afterTriggeredReviewPost(reviewTaskId, { status: "failed", error: message });
    throw new UnrecoverableError(message);
  }
}

/**
 * "Update branch": the task's change moved onto the base branch's head by a three-way apply on the host. When
 * it applies cleanly it becomes a turn of its own and is pushed as a merge of the new base (no force push);
 * when it conflicts, an agent turn resolves it on the new base, and its result is pushed the same way.
 */
export async function updateTaskBranch(deps: PullRequestProcessorDeps, taskId: string): Promise<void> {
  try {
    const work = await loadPublishWork(taskId);
    const { state } = work ?? {};
    if (!work?.pullRequest.headCommit || !state?.patch || !state.baseCommit) throw new AppError("bad_request", "The task's branch has not been pushed yet.");
    if (!work.finished) throw new AppError("conflict", "The task is running; update the branch when it has finished.");
    const { baseBranch } = work.pullRequest;
    const mirrorPath = await deps.mirrors.sync(work.environment.repoUrl, openRepoCredential(work.environment.repoCredential, deps.secretsKey));
    const newBase = await deps.mirrors.resolveBranch(mirrorPath, baseBranch);
    const at = `${baseBranch} at ${newBase.slice(0, 12)}`;
    if (newBase === state.baseCommit) {
      await recordBranchUpdate(taskId, { status: "current", message: `Already up to date with ${at}.` });
      return;
    }
    const patch = state.patch;
    const moved = await withScratchRepo(mirrorPath, deps.timeoutMs, (repo) => movePatch(repo, { newBase, patch }));
    if (!moved.ok) {
      const files = moved.conflicts.length > 0 ? moved.conflicts.join(", ") : "some files";
      const turn = await startConflictTurn(taskId, { newBase, baseBranch, files: moved.conflicts });
      await recordBranchUpdate(taskId, {
        status: "conflict",
        message: `The change conflicts with ${at} in ${files}. The agent is resolving it in follow-up ${turn}; its result is pushed as a merge of ${baseBranch} when it finishes.`,
      });
      return;
    }
    const message = `Brought the change onto ${at}; it applied cleanly.`;
    await recordUpdateTurn(taskId, {
      baseCommit: newBase,
      patch: moved.patch,
      filesChanged: moved.filesChanged,
      additions: moved.additions,
      deletions: moved.deletions,
      prompt: `Update branch onto ${at}`,
      message,
    });
    await publishPullRequest(deps, taskId);
    await recordBranchUpdate(taskId, { status: "updated", message });
  } catch (error) {
    const message = isAppError(error) ? error.userMessage : "The branch could not be updated because of an internal error; check the worker log.";
    if (!isAppError(error)) deps.logger.error({ err: error, taskId }, "updating a branch failed");
    await recordBranchUpdate(taskId, { status: "failed", message });
    throw new UnrecoverableError(message);
  }
}

/** Pulls the review comments left on the task's pull request in as draft comments, each once. */
export async function importReviewComments(deps: PullRequestProcessorDeps, taskId: string): Promise<void> {
  try {
    const work = await loadPublishWork(taskId);
    const client = work ? await storedApiClient(deps, work.environment) : null;
    const number = work?.pullRequest.number;
    if (!client || !number) throw new AppError("bad_request", "The task has no pull request on a forge to pull comments from.");
    const comments = await client.listReviewComments(number);
    const imported = await importForgeComments(
      taskId,
      comments.map((comment) => ({
        externalId: comment.id,
        author: comment.author,
        path: comment.path,
        line: comment.line,
        side: comment.side,
        body: comment.body,
      })),
    );
    await recordCommentImport(taskId, { status: "done", imported });
  } catch (error) {
    const message = isAppError(error) ? error.userMessage : "The comments could not be pulled in because of an internal error; check the worker log.";
    if (!isAppError(error)) deps.logger.error({ err: error, taskId }, "pulling review comments failed");
    await recordCommentImport(taskId, { status: "failed", error: message });
    throw new UnrecoverableError(message);
  }
}

/**
 * Reads the state of open pull requests from their forges (merged, closed, conflicts, checks), oldest first, so the
 * task page shows a merge without waiting for the next publish. A forge that fails is retried next round.
 */
export async function refreshOpenPullRequests(deps: PullRequestProcessorDeps, options: { staleMs: number; limit: number }): Promise<number> {
  const rows = await openPullRequestsToRefresh(new Date(Date.now() - options.staleMs), options.limit);
  let refreshed = 0;
  for (const row of rows) {
    try {
      const client = await storedApiClient(deps, row.task.environment);
      if (!client || row.number === null) continue;
      const pull = await client.getPullRequest(row.number);
      const checks = await client.getChecks(pull.headSha);
      await recordPullRequestState(row.taskId, { status: pull.state, mergeable: pull.mergeable, checks });
      refreshed += 1;
    } catch (error) {
      deps.logger.warn({ err: error, taskId: row.taskId }, "could not read a pull request's state");
    }
  }
  return refreshed;
}

/** At most this many before/after pairs in a PR's body, changed pages first. */
const MAX_SCREENSHOTS = 6;

/**
 * The task's before/after pictures as signed, expiring links (they work in a private repository's PR without
 * signing in to Patchbay); none without PATCHBAY_PUBLIC_URL, since the forge must be able to reach them.
 */
export function screenshotLinks(
  deps: PullRequestProcessorDeps,
  stored: unknown,
): { screenshots?: NonNullable<PullRequestTextInput["screenshots"]>; linksExpire?: Date } {
  const report = previewReportSchema.safeParse(stored);
  if (!deps.publicUrl || !deps.secretsKey || !report.success) return {};
  const expiresAt = new Date(Date.now() + SIGNED_LINK_TTL_MS);
  const link = (artifactId: string) => `${deps.publicUrl}${signedArtifactPath(deps.secretsKey, artifactId, expiresAt)}`;
  const shots = report.data.shots
    .filter((shot) => shotStatus(shot) !== "failed")
    .sort((a, b) => Number(shotStatus(b) === "changed") - Number(shotStatus(a) === "changed"))
    .slice(0, MAX_SCREENSHOTS)
    .flatMap((shot) =>
      shot.before.ok && shot.after.ok
        ? [
            {
              route: shot.route,
              viewport: shot.viewport.name,
              before: link(shot.before.artifactId),
              after: link(shot.after.artifactId),
              changed: shotStatus(shot) === "changed",
            },
          ]
        : [],
    );
  return shots.length > 0 ? { screenshots: shots, linksExpire: expiresAt } : {};
}

/**
 * The environment's connection with the token to use, or null when it has none. The API host is checked
 * like the push URL (public addresses only, unless local development mode allows local ones) before the
 * first call, which for a GitHub App is the exchange of its signed JWT for an installation token.
 */
async function openForge(deps: PullRequestProcessorDeps, stored: unknown): Promise<OpenedForge | null> {
  const forge = openForgeConnection(stored, deps.secretsKey);
  if (!forge) return null;
  const apiBase = forgeApiBase(forge);
  if (apiBase) await checkRepoUrl(apiBase, { allowLocal: deps.allowLocal, localRoots: [] });
  return withForgeToken(forge, clientOptions(deps));
}

const clientOptions = (deps: PullRequestProcessorDeps) => ({ timeoutMs: deps.timeoutMs, ...(deps.fetch ? { fetch: deps.fetch } : {}) });

/** The forge's API client for an environment's stored connection; null without one or for a plain git remote. */
export async function storedApiClient(deps: PullRequestProcessorDeps, environment: { forge: unknown; repoUrl: string }): Promise<ForgeClient | null> {
  const forge = await openForge(deps, environment.forge);
  return forge ? forgeClientFor(forge, environment.repoUrl, clientOptions(deps)) : null;
}

/** Commits the task's change as the branch's next commit and pushes it; returns the branch's head. */
async function pushTaskBranch(deps: PullRequestProcessorDeps, work: PublishWork, forge: OpenedForge, mirrorPath: string): Promise<string> {
  const { state, pullRequest } = work;
  const baseCommit = state.baseCommit ?? "";
  const url = pushUrl(forge, work.environment.repoUrl);
  const target = await checkRepoUrl(url, { allowLocal: deps.allowLocal, localRoots: [] });
  const credential = { kind: "token" as const, username: pushUsername(forge), token: forge.token };
  return withScratchRepo(mirrorPath, deps.timeoutMs, (repo) =>
    withRemoteAccess({ target, credential, knownHostsFile: path.join(repo.dir, "known_hosts") }, async (access) => {
      const scrub = createRedactor(access.secrets.map((value) => ({ name: "forgeToken", value }))).redact;
      try {
        const tip = await remoteBranchTip(repo, access, url, pullRequest.branch);
        let parent = baseCommit;
        if (!tip && pullRequest.headCommit) {
          throw new AppError(
            "conflict",
            `The branch ${pullRequest.branch} no longer exists on the remote (deleted after a merge?). Patchbay does not create it again: start a new task for further changes.`,
          );
        }
        if (tip) {
          await fetchBranch(repo, access, url, pullRequest.branch);
          // The branch must be the one Patchbay pushed last (or, after an interrupted publish, grow from the base).
          const ours = pullRequest.headCommit ? tip === pullRequest.headCommit : await isAncestor(repo, baseCommit, tip);
          if (!ours) {
            throw new AppError(
              "conflict",
              `The branch ${pullRequest.branch} on the remote has commits Patchbay did not push (its tip is ${tip.slice(0, 12)}). Patchbay does not overwrite them: merge or delete that branch, or continue on it by hand.`,
            );
          }
          parent = tip;
        }
        const pending = state.conversation.slice(pullRequest.turns);
        const single = pending.length === 1 ? pending[0] : undefined;
        // On a newer base than the last push ("Update branch"): the commit merges that base in.
        const movedBase = pullRequest.baseCommit !== null && pullRequest.baseCommit !== baseCommit && parent !== baseCommit;
        const commit = await commitPatch(repo, {
          baseCommit,
          patch: state.patch ?? "",
          parent,
          ...(movedBase ? { mergeParent: baseCommit } : {}),
          message: commitMessage({
            prompt: single && pullRequest.turns > 0 ? single.prompt : work.title,
            reply: pending.at(-1)?.reply ?? null,
            turn: work.turnCount,
          }),
          author: { name: work.owner.name?.trim() || work.owner.email, email: work.owner.email },
          committer: COMMITTER,
        });
        if (!commit) return parent;
        await pushBranch(repo, access, url, commit, pullRequest.branch);
        return commit;
      } catch (error) {
        throw pushProblem(error, url, scrub);
      }
    }),
  );
}

function pushProblem(error: unknown, url: string, scrub: (text: string) => string): unknown {
  if (!(error instanceof GitError)) return error;
  const stderr = scrub(error.stderr);
  if (error.timedOut) return new AppError("timeout", `Pushing to ${url} took too long (PATCHBAY_GIT_TIMEOUT_SEC). Check that the worker host can reach it.`);
  if (/could not read (Username|Password)|Authentication failed|returned error: 401\b|\b401\b/i.test(stderr)) {
    return new AppError(
      "repo_unreachable",
      `The remote ${url} refused the environment's forge token (HTTP 401). Connect the remote again with a current token.`,
    );
  }
  if (/returned error: 403\b|\b403\b|permission|denied/i.test(stderr)) {
    return new AppError(
      "repo_unreachable",
      `The remote ${url} did not let the environment's forge token push (HTTP 403). The token needs write access to the repository's contents.`,
    );
  }
  if (/non-fast-forward|fetch first|\[rejected\]/.test(stderr)) {
    return new AppError(
      "conflict",
      `The remote refused the push because the task's branch moved while Patchbay was pushing (someone else pushed to it). Patchbay does not overwrite other commits: merge or delete that branch, then publish again.`,
    );
  }
  const line = stderr.split("\n").find((entry) => /^(fatal|error|remote):/.test(entry.trim())) ?? stderr.split("\n").at(-1) ?? "";
  return new AppError("repo_unreachable", `Could not push to ${url}: ${line.trim().slice(0, 400) || "git failed"}.`, { cause: new Error(stderr) });
}
