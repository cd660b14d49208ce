// What a recorded trigger asks the worker to do (Trigger.work), whichever service it came from.
import type { Mention, ReviewRequest } from "./github-delivery";
import type { SlackRequest } from "./slack-delivery";

export type TriggerWork = Mention | ReviewRequest | SlackRequest;

/** A request from a thread (a comment, a Slack message): it is answered there when it starts and ends. */
export function answersInThread(work: unknown): boolean {
  const kind = (work as { kind?: unknown } | null)?.kind;
  return kind === "mention" || kind === "slack";
}

/** Whether the task's change becomes a pull request: a forge comment's always; a chat request's never (it is reviewed in Patchbay). */
export function publishesPullRequest(work: unknown): boolean {
  return (work as { kind?: unknown } | null)?.kind === "mention";
}
