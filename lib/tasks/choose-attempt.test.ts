import { describe, expect, it } from "vitest";
import { chooseAttempt, recommendAttempt, type RankableAttempt } from "./choose-attempt";

const attempt = (index: number, overrides: Partial<RankableAttempt> = {}): RankableAttempt => ({
  id: `a${index}`,
  index,
  status: "completed",
  checkPassed: null,
  filesChanged: 1,
  additions: 10,
  deletions: 0,
  ...overrides,
});

describe("recommendAttempt", () => {
  it("prefers a passing check, then any change over none, then the smaller change, then the earlier attempt", () => {
    expect(recommendAttempt([attempt(0, { checkPassed: false }), attempt(1, { checkPassed: true, additions: 99 }), attempt(2)])?.index).toBe(1);
    expect(recommendAttempt([attempt(0, { checkPassed: false }), attempt(1)])?.index).toBe(1);
    expect(recommendAttempt([attempt(0, { filesChanged: 0, additions: 0 }), attempt(1, { additions: 50 })])?.index).toBe(1);
    expect(recommendAttempt([attempt(0, { additions: 30 }), attempt(1, { additions: 5, deletions: 5 })])?.index).toBe(1);
    expect(recommendAttempt([attempt(1), attempt(0)])?.index).toBe(0);
  });

  it("recommends only completed attempts", () => {
    expect(recommendAttempt([attempt(0, { status: "failed", checkPassed: true }), attempt(1, { checkPassed: false })])?.index).toBe(1);
    expect(recommendAttempt([attempt(0, { status: "running" })])).toBeNull();
  });
});

describe("chooseAttempt", () => {
  it("uses the selection, else the recommendation, else the first attempt", () => {
    const attempts = [attempt(0, { status: "failed" }), attempt(1), attempt(2, { checkPassed: true })];
    expect(chooseAttempt(attempts, "a1")?.index).toBe(1);
    expect(chooseAttempt(attempts, null)?.index).toBe(2);
    expect(chooseAttempt([attempt(1, { status: "failed" }), attempt(0, { status: "failed" })], null)?.index).toBe(0);
    expect(chooseAttempt([], null)).toBeNull();
  });
});
