import { describe, expect, it } from "vitest";
import { attemptStatuses } from "@/lib/events";
import { allowedSources, canTransition, isFinished, taskStatusOf, type AttemptStatusValue } from "./task-status";

const allowed: ReadonlyArray<readonly [AttemptStatusValue, AttemptStatusValue]> = [
  ["queued", "provisioning"],
  ["queued", "failed"],
  ["queued", "cancelled"],
  ["provisioning", "provisioning"],
  ["provisioning", "running"],
  ["provisioning", "failed"],
  ["provisioning", "cancelled"],
  ["running", "provisioning"],
  ["running", "completed"],
  ["running", "failed"],
  ["running", "cancelled"],
];

describe("canTransition", () => {
  it.each(allowed)("allows %s -> %s", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it("refuses every other pair", () => {
    const isAllowed = (from: string, to: string) => allowed.some(([f, t]) => f === from && t === to);
    let refused = 0;
    for (const from of attemptStatuses) {
      for (const to of attemptStatuses) {
        if (isAllowed(from, to)) continue;
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(false);
        refused++;
      }
    }
    expect(refused).toBe(attemptStatuses.length ** 2 - allowed.length);
  });

  it.each([
    ["queued", "running"],
    ["queued", "completed"],
    ["queued", "queued"],
    ["provisioning", "completed"],
    ["running", "running"],
    ["running", "queued"],
    ["completed", "running"],
    ["failed", "provisioning"],
    ["cancelled", "queued"],
  ] as const)("refuses %s -> %s", (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });
});

describe("allowedSources", () => {
  it("lists where a move may come from", () => {
    expect(allowedSources("provisioning").sort()).toEqual(["provisioning", "queued", "running"]);
    expect(allowedSources("running")).toEqual(["provisioning"]);
    expect(allowedSources("completed")).toEqual(["running"]);
    expect(allowedSources("cancelled").sort()).toEqual(["provisioning", "queued", "running"]);
    expect(allowedSources("queued")).toEqual([]);
  });
});

describe("isFinished", () => {
  it.each(["completed", "failed", "cancelled"] as const)("%s is final", (status) => {
    expect(isFinished(status)).toBe(true);
  });
  it.each(["queued", "provisioning", "running"] as const)("%s is not", (status) => {
    expect(isFinished(status)).toBe(false);
  });
});

describe("taskStatusOf", () => {
  it("maps every attempt status to what a person sees", () => {
    const mapped = Object.fromEntries(attemptStatuses.map((status) => [status, taskStatusOf(status)]));
    expect(mapped).toEqual({
      queued: "queued",
      provisioning: "running",
      running: "running",
      completed: "completed",
      failed: "failed",
      cancelled: "cancelled",
    });
  });
});
