import { describe, expect, it } from "vitest";
import { ATTEMPTS_QUEUE } from "@/lib/queue/contracts";
import { attemptQueuesServedBy, attemptsQueueFor, parseWorkerLabels, waitingForLabelsMessage, workerServes } from "./worker-labels";

describe("worker labels", () => {
  it("parses a setting or a list into sorted, lower-case labels without repeats", () => {
    expect(parseWorkerLabels("")).toEqual([]);
    expect(parseWorkerLabels(" Large, gpu,,GPU ")).toEqual(["gpu", "large"]);
    expect(parseWorkerLabels(["ssd", "gpu"])).toEqual(["gpu", "ssd"]);
  });

  it("refuses what is not a label, and more labels than a worker can serve queues for", () => {
    expect(() => parseWorkerLabels("gpu large")).toThrow('"gpu large" is not a worker label');
    expect(() => parseWorkerLabels("-gpu")).toThrow("is not a worker label");
    expect(() => parseWorkerLabels("a,b,c,d,e")).toThrow("At most 4 worker labels (got 5: a, b, c, d, e).");
  });

  it("names one queue per required label set, the plain one for none", () => {
    expect(attemptsQueueFor([])).toBe(ATTEMPTS_QUEUE);
    expect(attemptsQueueFor(["gpu", "large"])).toBe(`${ATTEMPTS_QUEUE}@gpu+large`);
  });

  it("serves the queue of every subset of a worker's labels", () => {
    expect(attemptQueuesServedBy([])).toEqual([ATTEMPTS_QUEUE]);
    const served = attemptQueuesServedBy(["gpu", "large"]);
    expect(served).toEqual([ATTEMPTS_QUEUE, `${ATTEMPTS_QUEUE}@gpu`, `${ATTEMPTS_QUEUE}@large`, `${ATTEMPTS_QUEUE}@gpu+large`]);
    // Whatever an environment requires, a worker that has all of it serves its queue, and no other does.
    for (const required of [[], ["gpu"], ["large"], ["gpu", "large"], ["ssd"], ["gpu", "ssd"]]) {
      expect(served.includes(attemptsQueueFor(required)), required.join("+")).toBe(workerServes(["gpu", "large"], required));
    }
    expect(attemptQueuesServedBy(["a", "b", "c", "d"])).toHaveLength(16);
  });

  it("says what a task waits for", () => {
    expect(waitingForLabelsMessage(["gpu"])).toBe("Waiting for a worker labelled gpu: no running worker has this label (PATCHBAY_WORKER_LABELS).");
    expect(waitingForLabelsMessage(["gpu", "large", "ssd"])).toBe(
      "Waiting for a worker labelled gpu, large and ssd: no running worker has these labels (PATCHBAY_WORKER_LABELS).",
    );
  });
});
