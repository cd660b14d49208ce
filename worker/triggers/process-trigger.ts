// The triggers queue: act on a verified webhook delivery (start a task for a mention, a review for a pull
// request) and send Patchbay's replies back to the thread. A reply that fails is retried by BullMQ with
// backoff; its state after every try is on the trigger, so the inbox shows a reply still pending.
import { type Job, UnrecoverableError } from "bullmq";
import { AppError, isAppError } from "@/lib/errors";
import { type ForgeKind, forgeName, forgeSummary } from "@/lib/forge/forge-connection";
import { REPLY_ATTEMPTS, triggerJobSchema } from "@/lib/queue/contracts";
import { createReviewTask } from "@/lib/reviews/review-tasks";
import type { Mention, ReviewRequest } from "@/lib/triggers/github-delivery";
import { finishedReply, type ReplyInput, refusedReply, startedReply } from "@/lib/triggers/reply-text";
import type { TriggerWork } from "@/lib/triggers/trigger-work";
import {
  alreadyReviewed,
  loadReplyWork,
  loadTriggerWork,
  type MentionTarget,
  recordMentionTarget,
  recordReply,
  refuseTrigger,
  refusedInThread,
  userForGitHubId,
} from "@/lib/triggers/trigger-outcomes";
import { appendSteps, type ReplyKind, type ReplyState, step } from "@/lib/triggers/triggers";
import { autoReviewSkip, openWebhook } from "@/lib/triggers/webhook-settings";
import { screenshotLinks, storedApiClient } from "@/worker/pull-requests/publish-pull-request";
import { replyInLinear, startLinearRequest } from "./linear-trigger";
import { type LoadedTrigger, startRequestedTask, type TriggerDeps, unlessFinishedAlready } from "./requested-task";
import { replyInSlack, sendSlackNotice, startSlackRequest } from "./slack-trigger";

/** The issue's text given to the agent with the request, at most this long. */
const MAX_ISSUE_BODY = 4000;

export function createTriggerProcessor(deps: TriggerDeps) {
  return async function processTrigger(job: Job): Promise<void> {
    const parsed = triggerJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Invalid job payload: ${parsed.error.message}`);
    if ("notice" in parsed.data) return sendSlackNotice(deps, parsed.data.notice);
    const { triggerId, reply } = parsed.data;
    if (reply) return sendReply(deps, job, triggerId, reply);
    try {
      await runTrigger(deps, triggerId);
    } catch (error) {
      const message = isAppError(error) ? error.userMessage : "an internal error; check the worker log";
      if (!isAppError(error)) deps.logger.error({ err: error, triggerId }, "acting on a trigger failed");
      await refuseTrigger(triggerId, `failed: ${message}`, { reply: false, status: "failed" });
    }
  };
}

async function runTrigger(deps: TriggerDeps, triggerId: string): Promise<void> {
  const trigger = await loadTriggerWork(triggerId);
  if (trigger?.status !== "received") return;
  const work = trigger.work as TriggerWork | null;
  if (work?.kind === "mention") return startMention(deps, trigger, work);
  if (work?.kind === "review") return startReview(deps, trigger, work);
  if (work?.kind === "slack") return startSlackRequest(deps, trigger, work);
  if (work?.kind === "linear") return startLinearRequest(deps, trigger, work);
  await refuseTrigger(triggerId, "failed: the delivery carries no work", { reply: false, status: "failed" });
}

/**
 * A mention: the commenter must be the environment's owner. On GitHub, the owner signed in to Patchbay with
 * that GitHub account (its id is linked); on GitLab and Gitea, where Patchbay's sign-in links nothing, the
 * comment's author must have the login the owner set on the environment page (webhook-settings.ts).
 */
async function startMention(deps: TriggerDeps, trigger: LoadedTrigger, mention: Mention): Promise<void> {
  const { environment } = trigger;
  const kind = forgeSummary(environment.forge)?.kind ?? "github";
  const allowed = kind === "github" ? await gitHubCommenter(environment, mention) : forgeCommenter(deps, environment, mention, kind);
  if (typeof allowed === "string") {
    // On a public repository anyone can mention Patchbay: one such reply per thread, not one per comment.
    return refuseTrigger(trigger.id, allowed, { reply: !(await refusedInThread(environment.id, mention, trigger.id)) });
  }
  const user = allowed;
  if (!mention.request) return refuseTrigger(trigger.id, "no request: write what to do after @patchbay", { reply: true });
  // On a pull request the task starts from the PR's head branch, and its change is pushed back to it.
  const target = mention.onPullRequest ? await pullRequestTarget(deps, trigger, mention) : null;
  if (typeof target === "string") return refuseTrigger(trigger.id, target, { reply: true });
  // GitLab's merge requests are "!N" (its issues are "#N", numbered apart).
  const what = target ? (kind === "gitlab" ? "merge request" : "pull request") : "issue";
  const issue = mention.issueBody.trim();
  const prompt = [
    mention.request,
    `This request comes from a comment on ${what} ${target && kind === "gitlab" ? "!" : "#"}${mention.number} "${mention.issueTitle}".`,
    issue ? `The ${what} says:\n${issue.length > MAX_ISSUE_BODY ? `${issue.slice(0, MAX_ISSUE_BODY)}…` : issue}` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  await startRequestedTask(trigger.id, user, { environmentId: environment.id, prompt, ...(target ? { branch: target.headBranch } : {}) }, async () => {
    if (target) await recordMentionTarget(trigger.id, target);
  });
}

/** The owner's Patchbay account when the GitHub commenter is linked to it; else why not. */
async function gitHubCommenter(environment: LoadedTrigger["environment"], mention: Mention) {
  const user = await userForGitHubId(mention.actor.id);
  if (user && user.id === environment.ownerId && user.role !== "copywriter") return user;
  return user
    ? `user not allowed: ${mention.actor.login}'s Patchbay account cannot run tasks in this environment (only its owner can)`
    : `user not allowed: ${mention.actor.login} has no Patchbay account linked to this GitHub account (sign in to Patchbay with GitHub once)`;
}

/** The owner's Patchbay account when a GitLab or Gitea commenter has the login the owner set; else why not. */
function forgeCommenter(deps: TriggerDeps, environment: LoadedTrigger["environment"], mention: Mention, kind: ForgeKind) {
  const forgeLogin = openWebhook(environment.webhook, deps.secretsKey)?.forgeLogin;
  const forge = forgeName(kind);
  if (!forgeLogin) {
    return `user not allowed: this environment's owner has not said which ${forge} login is theirs (set "Your ${forge} login" with the webhook on the environment page)`;
  }
  if (forgeLogin.toLowerCase() !== mention.actor.login.toLowerCase()) {
    return `user not allowed: ${mention.actor.login} is not this environment's owner on ${forge} (only its owner can ask Patchbay here)`;
  }
  if (environment.owner.role === "copywriter") return `user not allowed: ${mention.actor.login}'s Patchbay account cannot run tasks in this environment`;
  return { id: environment.ownerId, email: environment.owner.email };
}

/** The open PR a mention was made on, read from the forge; or why Patchbay cannot push to it. */
async function pullRequestTarget(deps: TriggerDeps, trigger: LoadedTrigger, mention: Mention): Promise<MentionTarget | string> {
  const client = await storedApiClient(deps, trigger.environment);
  if (!client) return "the environment is no longer connected to its forge";
  const pull = await client.getPullRequest(mention.number);
  if (pull.state !== "open") return `pull request #${mention.number} is ${pull.state}; mention @patchbay on an open one, or in an issue`;
  if (pull.fromFork) return `pull request #${mention.number} comes from a fork, where Patchbay cannot push; mention @patchbay in an issue instead`;
  return { number: pull.number, url: pull.url, headBranch: pull.headBranch, baseBranch: pull.baseBranch };
}

/** A pull request opened or pushed to: an automatic review when the environment's filters let it through. */
async function startReview(deps: TriggerDeps, trigger: LoadedTrigger, review: ReviewRequest): Promise<void> {
  const { environment } = trigger;
  const ignore = (reason: string) => appendSteps(trigger.id, [step("ignored", reason)], { status: "ignored", reason });
  const settings = openWebhook(environment.webhook, deps.secretsKey)?.autoReview;
  if (!settings?.enabled) return ignore("automatic review is off for this environment");
  if (review.fromFork) return ignore("pull requests from forks are not reviewed yet");
  if (await alreadyReviewed(environment.id, review.number, review.headSha, trigger.id))
    return ignore(`commit ${review.headSha.slice(0, 7)} was reviewed already`);
  const pull = { baseBranch: review.baseBranch, headBranch: review.headBranch, author: review.author, draft: review.draft };
  // The filters the delivery answers come first; the PR's files are asked of the forge only when they decide.
  const skip = autoReviewSkip(settings, { ...pull, files: null });
  if (skip) return ignore(skip);
  if (settings.paths.length > 0) {
    const client = await storedApiClient(deps, environment);
    const files = client?.listPullRequestFiles ? await client.listPullRequestFiles(review.number) : null;
    const outside = autoReviewSkip(settings, { ...pull, files });
    if (outside) return ignore(outside);
  }
  if (environment.owner.role === "copywriter") throw new AppError("forbidden", "the environment's owner cannot start reviews");
  const task = await createReviewTask(environment.ownerId, {
    mode: "review",
    environmentId: environment.id,
    pullRequest: review.url,
    branch: review.baseBranch,
  });
  await appendSteps(trigger.id, [step("started", task.id)], { status: "started", taskId: task.id });
  await unlessFinishedAlready(task.id);
}

/** One try at one reply; BullMQ retries a failed try with backoff until REPLY_ATTEMPTS. */
async function sendReply(deps: TriggerDeps, job: Job, triggerId: string, kind: ReplyKind): Promise<void> {
  const work = await loadReplyWork(triggerId);
  const target = work?.work as TriggerWork | null;
  if (!work || !target || target.kind === "review") return;
  const attempts = job.attemptsMade + 1;
  try {
    // A quick task may end before its "started" answer is out (the service is slow or down): "finished" waits
    // for it, so the thread reads in order.
    const replies = (Array.isArray(work.replies) ? work.replies : []) as ReplyState[];
    if (kind === "finished" && replies.some((reply) => reply.kind === "started" && reply.status === "pending")) {
      throw new Error("waiting for the “started” answer to go out first");
    }
    const attempt = work.task?.turns[0]?.attempts[0];
    const input: ReplyInput = {
      taskUrl: deps.publicUrl && work.taskId ? `${deps.publicUrl}/tasks/${work.taskId}` : null,
      reason: work.reason,
      summary: attempt?.finalMessage,
      error: work.status === "failed" ? (attempt?.error ?? work.reason?.replace(/^failed: /, "") ?? "it failed") : null,
      pullRequestUrl: work.task?.pullRequest?.url,
      filesChanged: attempt?.filesChanged,
      continued: target.kind === "slack" ? (target.continued ?? null) : null,
      screenshots: screenshotLinks(deps, attempt?.previewReport).screenshots,
    };
    const { url } =
      target.kind === "slack"
        ? await replyInSlack(deps, triggerId, target, kind, input)
        : target.kind === "linear"
          ? await replyInLinear(deps, work.environment, target, kind, input)
          : await commentOnForge(deps, work.environment, target, kind, input);
    await recordReply(triggerId, { kind, status: "sent", attempts, ...(url ? { url } : {}) });
  } catch (error) {
    const message = isAppError(error) ? error.userMessage : String((error as Error)?.message ?? error);
    // The forge or Linear refusing the comment itself (a token without the Issues permission, an issue gone: 4xx
    // other than 408/429) will refuse it again: the reply fails now, rather than after every try.
    const status = (error as { cause?: { status?: unknown } }).cause?.status;
    const hopeless = error instanceof UnrecoverableError || (typeof status === "number" && status >= 400 && status < 500 && status !== 408 && status !== 429);
    const last = hopeless || attempts >= (job.opts.attempts ?? REPLY_ATTEMPTS);
    await recordReply(triggerId, { kind, status: last ? "failed" : "pending", attempts, error: message });
    throw hopeless ? new UnrecoverableError(message) : error;
  }
}

/** The reply as a comment in the mention's thread: an issue's or a pull (merge) request's, on the environment's forge. */
async function commentOnForge(
  deps: TriggerDeps,
  environment: { forge: unknown; repoUrl: string },
  target: Mention,
  kind: ReplyKind,
  input: ReplyInput,
): Promise<{ url: string | null }> {
  const client = await storedApiClient(deps, environment);
  if (!client?.commentOn) throw new UnrecoverableError("the environment is no longer connected to a forge Patchbay can comment on");
  const body = kind === "started" ? startedReply(input) : kind === "refused" ? refusedReply(input) : finishedReply(input);
  return client.commentOn({ number: target.number, onPullRequest: target.onPullRequest }, body);
}
