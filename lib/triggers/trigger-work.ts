// What a recorded trigger asks the worker to do (Trigger.work), whichever service it came from.
import { forgeSummary } from "@/lib/forge/forge-connection";
import type { Mention, ReviewRequest } from "./github-delivery";
import type { LinearRequest } from "./linear-delivery";
import type { SlackRequest } from "./slack-delivery";

export type TriggerWork = Mention | ReviewRequest | SlackRequest | LinearRequest;

/** A request from a thread (a comment, a Slack message, a Linear issue): it is answered there when it starts and ends. */
export function answersInThread(work: unknown): boolean {
  const kind = (work as { kind?: unknown } | null)?.kind;
  return kind === "mention" || kind === "slack" || kind === "linear";
}

/**
 * Whether the task's change becomes a pull request: a forge comment's always; a Linear issue's when the
 * environment has a forge to open it on (else it waits in Patchbay, as the reply says); a chat request's
 * never (it is reviewed in Patchbay).
 */
export function publishesPullRequest(work: unknown, environment: { forge: unknown }): boolean {
  const kind = (work as { kind?: unknown } | null)?.kind;
  return kind === "mention" || (kind === "linear" && forgeSummary(environment.forge) !== null);
}
