// Acting on a request from Linear (an issue assigned to Patchbay's Linear user, or a comment mentioning it):
// find the person's Patchbay account by the e-mail of their Linear account, start a task with the issue's
// title and description, and comment Patchbay's answers on the issue as that Linear user.
import { UnrecoverableError } from "bullmq";
import { type LinearApiOptions, commentOnLinearIssue, linearIssue, linearUserEmail } from "@/lib/triggers/linear-api";
import type { LinearRequest } from "@/lib/triggers/linear-delivery";
import { openLinearSettings } from "@/lib/triggers/linear-settings";
import { linearReply, linearTaskPrompt } from "@/lib/triggers/linear-text";
import type { ReplyInput } from "@/lib/triggers/reply-text";
import { refuseTrigger, userForEmail } from "@/lib/triggers/trigger-outcomes";
import type { ReplyKind } from "@/lib/triggers/triggers";
import { type LoadedTrigger, startRequestedTask, type TriggerDeps } from "./requested-task";

/** The environment's Linear API key at Linear's address; a setting removed since the delivery ends the job. */
function linearAccess(deps: TriggerDeps, stored: unknown): LinearApiOptions {
  const settings = openLinearSettings(stored, deps.secretsKey);
  if (!settings) throw new UnrecoverableError("Linear is no longer set up for this environment (its settings were removed)");
  return { apiKey: settings.apiKey, ...(deps.linearApiUrl ? { apiUrl: deps.linearApiUrl } : {}) };
}

export async function startLinearRequest(deps: TriggerDeps, trigger: LoadedTrigger, request: LinearRequest): Promise<void> {
  const { environment } = trigger;
  const linear = linearAccess(deps, environment.linear);
  // Linear puts the actor's e-mail in deliveries to some webhooks only; otherwise the API key's user reads it.
  const email = request.actor.email ?? (request.actor.id ? await linearUserEmail(linear, request.actor.id) : null);
  const user = email ? await userForEmail(email) : null;
  if (!user || user.id !== environment.ownerId || user.role === "copywriter") {
    const who = request.actor.name || "the Linear user";
    const why = !email
      ? `user not allowed: Linear did not give ${who}'s e-mail, which Patchbay needs to find their account`
      : user
        ? `user not allowed: ${email}'s Patchbay account cannot run tasks in this environment (only its owner can)`
        : `user not allowed: no Patchbay account has the e-mail of ${who}'s Linear account`;
    return refuseTrigger(trigger.id, why, { reply: true });
  }
  // A comment's delivery carries the issue's title at most (its description never), and Linear's documented
  // example not even that: what the delivery lacks is read from Linear.
  const issue = request.title && request.identifier && request.description ? request : await linearIssue(linear, request.issueId);
  await startRequestedTask(trigger.id, user, { environmentId: environment.id, prompt: linearTaskPrompt(request, issue) });
}

/** One comment on the issue, by the Linear user whose API key the environment holds. */
export async function replyInLinear(
  deps: TriggerDeps,
  environment: { linear: unknown },
  request: LinearRequest,
  kind: ReplyKind,
  input: ReplyInput,
): Promise<{ url: string | null }> {
  return commentOnLinearIssue(linearAccess(deps, environment.linear), request.issueId, linearReply(kind, input));
}
