// Acting on a request from Slack: find the person's Patchbay account (by the e-mail of their Slack profile),
// then start a task, or continue the thread's task with a follow-up (or a steer while it runs); and post
// Patchbay's answers in the thread.
import { UnrecoverableError } from "bullmq";
import { AppError, isAppError } from "@/lib/errors";
import { enqueueTrigger } from "@/lib/queue/producer";
import { addFollowUp } from "@/lib/tasks/add-follow-up";
import type { ReplyInput } from "@/lib/triggers/reply-text";
import type { SlackRequest } from "@/lib/triggers/slack-delivery";
import { type SlackReply, slackEscape, slackFinishedReply, slackRefusedReply, slackStartedReply } from "@/lib/triggers/slack-reply-text";
import { slackThreadTask } from "@/lib/triggers/slack-webhook";
import { recordSlackThread, refuseTrigger, userForEmail } from "@/lib/triggers/trigger-outcomes";
import { appendSteps, type ReplyKind, step } from "@/lib/triggers/triggers";
import { type LoadedTrigger, refusalOf, startRequestedTask, type TriggerDeps, unlessFinishedAlready } from "./requested-task";
import { postInSlack, type SlackApp, slackMemberEmail } from "./slack-api";

function slackApp(deps: TriggerDeps): SlackApp {
  // Status 400: no retry sets the token, so a reply fails at once (and Retry sends it once it is set).
  if (!deps.slack?.botToken)
    throw new AppError("bad_request", "Slack is not set up on this Patchbay's worker: set PATCHBAY_SLACK_BOT_TOKEN.", { cause: { status: 400 } });
  return deps.slack;
}

export async function startSlackRequest(deps: TriggerDeps, trigger: LoadedTrigger, request: SlackRequest): Promise<void> {
  const { environment } = trigger;
  const email = await slackMemberEmail(slackApp(deps), request.user);
  const user = email ? await userForEmail(email) : null;
  if (!user || user.id !== environment.ownerId || user.role === "copywriter") {
    const why = !email
      ? `user not allowed: Slack did not give ${request.user}'s e-mail (the Slack app needs the users:read.email scope)`
      : user
        ? `user not allowed: ${email}'s Patchbay account cannot run tasks in this environment (only its owner can)`
        : `user not allowed: no Patchbay account has the e-mail of ${request.user}'s Slack profile`;
    return refuseTrigger(trigger.id, why, { reply: true });
  }
  if (!request.request) return refuseTrigger(trigger.id, "no request: write what to do after @Patchbay", { reply: true });
  const thread = request.inThread && request.threadTs ? await slackThreadTask(request.channel, request.threadTs) : null;
  if (thread) return continueThreadTask(trigger, user, thread.taskId, request);
  await startRequestedTask(trigger.id, user, { environmentId: environment.id, prompt: request.request });
}

/** A message in a thread whose task exists: a follow-up turn when the task has finished, a steer while it runs. */
async function continueThreadTask(trigger: LoadedTrigger, user: { id: string; email: string }, taskId: string, request: SlackRequest): Promise<void> {
  let outcome: Awaited<ReturnType<typeof addFollowUp>>;
  try {
    outcome = await addFollowUp(user.id, taskId, { text: request.request });
  } catch (error) {
    const refusal = refusalOf(error);
    if (!refusal) throw error;
    return refuseTrigger(trigger.id, refusal, { reply: true });
  }
  const continued = outcome.kind === "steer" ? "steer" : "follow-up";
  await recordSlackThread(trigger.id, { continued });
  await appendSteps(trigger.id, [step("matched", user.email), step(continued === "steer" ? "steered" : "started", taskId)], {
    // A steer ends here: the running task's own trigger answers when it ends.
    status: continued === "steer" ? "done" : "started",
    taskId,
  });
  await enqueueTrigger({ triggerId: trigger.id, reply: "started" });
  if (continued === "follow-up") await unlessFinishedAlready(taskId);
}

/** One answer in the thread. A slash command's first answer starts the thread the later ones go to. */
export async function replyInSlack(
  deps: TriggerDeps,
  triggerId: string,
  request: SlackRequest,
  kind: ReplyKind,
  input: ReplyInput,
): Promise<{ url: string | null }> {
  const message = kind === "started" ? slackStartedReply(input) : kind === "refused" ? slackRefusedReply(input) : slackFinishedReply(input);
  // A command's "finished" may be tried before its "started" went out: it waits (and is retried) for the thread.
  if (!request.threadTs && kind === "finished") throw new Error("waiting for the first answer to start the thread");
  const posted = await postInSlack(slackApp(deps), { channel: request.channel, threadTs: request.threadTs }, withAsker(message, request, !request.threadTs));
  if (!request.threadTs) await recordSlackThread(triggerId, { threadTs: posted.ts });
  return { url: posted.url };
}

/** A message that starts a thread names who asked and what, since no question sits above it. */
function withAsker(message: SlackReply, request: SlackRequest, startsThread: boolean): SlackReply {
  if (!startsThread) return message;
  return { ...message, text: `<@${request.user}> asked: ${slackEscape(request.request.slice(0, 300))}\n${message.text}` };
}

/** A mention in a channel no environment claims: said once, in its thread. */
export async function sendSlackNotice(deps: TriggerDeps, notice: { channel: string; threadTs: string; text: string }): Promise<void> {
  try {
    await postInSlack(slackApp(deps), { channel: notice.channel, threadTs: notice.threadTs }, { text: notice.text });
  } catch (error) {
    const status = (error as { cause?: { status?: unknown } }).cause?.status;
    if (isAppError(error) && status === 400) throw new UnrecoverableError(error.userMessage);
    throw error;
  }
}
