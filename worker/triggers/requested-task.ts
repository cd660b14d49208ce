// Starting the task a person asked for from outside (a forge comment, a Slack message, a Linear issue), shared
// by every kind of trigger: the task is created as its owner would from the page, and a request Patchbay
// will not take is answered with why.
import { ZodError } from "zod";
import { isAppError } from "@/lib/errors";
import { enqueueTrigger } from "@/lib/queue/producer";
import { createTask } from "@/lib/tasks/create-task";
import { isTaskFinished } from "@/lib/tasks/task-queries";
import { afterTriggeredTask, type loadTriggerWork, refuseTrigger } from "@/lib/triggers/trigger-outcomes";
import { appendSteps, step } from "@/lib/triggers/triggers";
import type { PullRequestProcessorDeps } from "@/worker/pull-requests/publish-pull-request";
import type { SlackApp } from "./slack-api";

/** What acting on triggers needs beyond publishing: the installation's Slack app, Linear's API address. */
export type TriggerDeps = PullRequestProcessorDeps & { slack?: SlackApp; linearApiUrl?: string };

/** A trigger as the worker loads it to act on it. */
export type LoadedTrigger = NonNullable<Awaited<ReturnType<typeof loadTriggerWork>>>;

/**
 * Starts the task a person asked for in a thread (a forge comment, a Slack message, a Linear issue) and
 * queues the "started" reply; a request Patchbay refuses is answered with why.
 */
export async function startRequestedTask(
  triggerId: string,
  user: { id: string; email: string },
  input: { environmentId: string; prompt: string; branch?: string },
  afterCreate?: () => Promise<void>,
): Promise<void> {
  let task: { id: string };
  try {
    task = await createTask(user.id, input);
    await afterCreate?.();
  } catch (error) {
    const refusal = refusalOf(error);
    if (!refusal) throw error;
    return refuseTrigger(triggerId, refusal, { reply: true });
  }
  await appendSteps(triggerId, [step("matched", user.email), step("started", task.id)], { status: "started", taskId: task.id });
  await enqueueTrigger({ triggerId, reply: "started" });
  await unlessFinishedAlready(task.id);
}

/** Why Patchbay will not take a request, in words for the person who asked; null for its own failures. */
export function refusalOf(error: unknown): string | null {
  // A request createTask's own checks refuse (longer than PATCHBAY_MAX_PROMPT_BYTES, 32 KiB by default, while
  // GitHub takes 64 KiB comments) is for the person to change: say so in the thread, not "internal error".
  if (error instanceof ZodError) return `not accepted: ${error.issues.map((issue) => issue.message).join("; ")}`;
  if (!isAppError(error) || error.code === "internal") return null;
  // A limit is worth a Retry later; anything else (a model not allowed…) is "not accepted" until changed.
  return `${error.code === "rate_limited" ? "limit reached" : "not accepted"}: ${error.userMessage}`;
}

/**
 * The task's attempt carries the trigger on when it ends, but only once the trigger names the task: a task
 * that finished before that (a fast one) is carried on from here.
 */
export async function unlessFinishedAlready(taskId: string): Promise<void> {
  if (await isTaskFinished(taskId)) await afterTriggeredTask(taskId);
}
