import { describe, expect, it } from "vitest";
import { attemptJobSchema, controlMessageSchema, workerHeartbeatKey } from "./contracts";

describe("attemptJobSchema", () => {
  it("accepts exactly { attemptId }", () => {
    expect(attemptJobSchema.parse({ attemptId: "att_1" })).toEqual({ attemptId: "att_1" });
  });

  it.each([[{ attemptId: "att_1", taskId: "t" }], [{ attemptId: "att_1", prompt: "do things" }], [{ attemptId: "att_1", token: "ghs_secret" }]])(
    "rejects extra keys: %j",
    (data) => {
      const result = attemptJobSchema.safeParse(data);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.code).toBe("unrecognized_keys");
    },
  );

  it.each([[{}], [{ attemptId: "" }], [{ attemptId: 42 }], [{ attemptId: null }], [null], ["att_1"], [{ attemptId: "a".repeat(65) }]])(
    "rejects a missing, empty or malformed id: %j",
    (data) => {
      expect(attemptJobSchema.safeParse(data).success).toBe(false);
    },
  );

  it("accepts the longest allowed id", () => {
    expect(attemptJobSchema.safeParse({ attemptId: "a".repeat(64) }).success).toBe(true);
  });
});

describe("controlMessageSchema", () => {
  it("accepts a cancel and nothing else", () => {
    expect(controlMessageSchema.parse({ action: "cancel", attemptId: "att_1" })).toEqual({ action: "cancel", attemptId: "att_1" });
    expect(controlMessageSchema.safeParse({ action: "kill", attemptId: "att_1" }).success).toBe(false);
    expect(controlMessageSchema.safeParse({ action: "cancel", attemptId: "att_1", extra: 1 }).success).toBe(false);
  });
});

describe("workerHeartbeatKey", () => {
  it("is distinct per worker", () => {
    expect(workerHeartbeatKey("w1")).not.toBe(workerHeartbeatKey("w2"));
    expect(workerHeartbeatKey("w1")).toContain("w1");
  });
});
