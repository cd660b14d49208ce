// Worker labels route tasks to machines: a worker started with PATCHBAY_WORKER_LABELS=gpu,large runs the
// tasks of environments that require any of its labels (or none), and no others. Routing is a queue per
// required label set: an environment requiring gpu and large queues its attempts on
// `patchbay-attempts@gpu+large`, and a worker serves the queue of every subset of its labels, the empty
// set (the plain attempts queue) included. Hence the small cap on labels per worker: 2^n queues.
import { z } from "zod";
import { ATTEMPTS_QUEUE } from "@/lib/queue/contracts";

export const MAX_WORKER_LABELS = 4;
const LABEL = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Labels from a comma-separated setting or a list: trimmed, lower-cased, sorted, without repeats. */
export function parseWorkerLabels(input: string | readonly string[]): string[] {
  const items = typeof input === "string" ? input.split(",") : [...input];
  const labels = [...new Set(items.map((item) => item.trim().toLowerCase()).filter(Boolean))].sort();
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) throw new Error(`"${bad}" is not a worker label: use lower-case letters, digits and dashes (at most 32), like gpu or large-disk.`);
  if (labels.length > MAX_WORKER_LABELS) throw new Error(`At most ${MAX_WORKER_LABELS} worker labels (got ${labels.length}: ${labels.join(", ")}).`);
  return labels;
}

/** The same labels as a schema: a list, or a comma-separated string as the worker's setting and forms give. */
export const workerLabelsSchema = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  try {
    return parseWorkerLabels(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

/** The queue of attempts whose environment requires exactly these labels (sorted, as parsed). */
export function attemptsQueueFor(required: readonly string[]): string {
  return required.length === 0 ? ATTEMPTS_QUEUE : `${ATTEMPTS_QUEUE}@${required.join("+")}`;
}

/** Every queue a worker with these labels serves: one per subset of them, the plain queue first. */
export function attemptQueuesServedBy(labels: readonly string[]): string[] {
  const subsets: string[][] = [[]];
  for (const label of labels) for (const subset of [...subsets]) subsets.push([...subset, label]);
  return subsets.sort((a, b) => a.length - b.length).map((subset) => attemptsQueueFor([...subset].sort()));
}

/** Whether a worker with `labels` runs tasks that require `required`. */
export function workerServes(labels: readonly string[], required: readonly string[]): boolean {
  return required.every((label) => labels.includes(label));
}

/** What a queued task says while no running worker has the labels its environment requires. */
export function waitingForLabelsMessage(required: readonly string[]): string {
  const names = required.length === 1 ? required[0] : `${required.slice(0, -1).join(", ")} and ${required.at(-1)}`;
  return `Waiting for a worker labelled ${names}: no running worker has ${required.length === 1 ? "this label" : "these labels"} (PATCHBAY_WORKER_LABELS).`;
}
