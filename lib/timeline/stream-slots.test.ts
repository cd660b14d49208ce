import { describe, expect, it } from "vitest";
import { acquireStreamSlot } from "./stream-slots";

describe("acquireStreamSlot", () => {
  it("refuses a user's stream past the limit, and frees a slot when one ends (once, however often it is called)", () => {
    const releases = [acquireStreamSlot("ana", 2), acquireStreamSlot("ana", 2)];
    expect(() => acquireStreamSlot("ana", 2)).toThrow(/2 live timelines open already/);
    // Another person is not affected.
    expect(() => acquireStreamSlot("ben", 2)()).not.toThrow();
    releases[0]?.();
    releases[0]?.();
    const again = acquireStreamSlot("ana", 2);
    expect(() => acquireStreamSlot("ana", 2)).toThrow(/rate|live timelines/);
    again();
    releases[1]?.();
  });
});
