// Reading triggers as the inbox shows them, for the trigger integration tests: wait for a state, never for a
// duration.
import { listTriggers, type TriggerDto } from "@/lib/triggers/triggers";
import { waitFor } from "./wait-for";

/** The trigger as the inbox shows it, once `done` holds. */
export async function triggerWhen(userId: string, triggerId: string, what: string, done: (trigger: TriggerDto) => boolean, timeoutMs = 120_000) {
  return waitFor(
    `trigger ${triggerId}: ${what}`,
    async () => {
      const trigger = (await listTriggers(userId)).find((entry) => entry.id === triggerId);
      return trigger && done(trigger) ? trigger : null;
    },
    timeoutMs,
    100,
  );
}

/** Whether the trigger's reply of this kind was sent. */
export const replySent = (kind: string) => (trigger: TriggerDto) => trigger.replies.some((reply) => reply.kind === kind && reply.status === "sent");

/** The names of the trigger's steps, in order. */
export const stepNames = (trigger: TriggerDto) => trigger.steps.map((step) => step.step);
