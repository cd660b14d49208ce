import { describe, expect, it } from "vitest";
import { createTaskSchema } from "./task.schemas";

const KIB = 1024;
const schema = createTaskSchema(32 * KIB);

function issues(input: unknown): string[] {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((issue) => issue.message);
}

describe("createTaskSchema(32 KiB)", () => {
  it("accepts a normal task with and without a branch", () => {
    expect(schema.parse({ environmentId: "env_1", prompt: "Fix the login bug" })).toEqual({
      environmentId: "env_1",
      prompt: "Fix the login bug",
      mode: "code",
      attempts: 1,
    });
    expect(schema.parse({ environmentId: "env_1", prompt: "x", branch: "feature/x-1" }).branch).toBe("feature/x-1");
  });

  it.each(["", "   ", "\n\t  \n"])("rejects the blank prompt %j with a helpful message", (prompt) => {
    expect(issues({ environmentId: "env_1", prompt })).toContain("Prompt is empty: say what you want changed.");
  });

  it("accepts exactly 32 KiB", () => {
    expect(schema.safeParse({ environmentId: "env_1", prompt: "a".repeat(32 * KIB) }).success).toBe(true);
    // 3-byte characters: 10922 * 3 = 32766 bytes, plus 2 ASCII = 32768.
    const multibyte = `${"€".repeat(10922)}ab`;
    expect(Buffer.byteLength(multibyte)).toBe(32 * KIB);
    expect(schema.safeParse({ environmentId: "env_1", prompt: multibyte }).success).toBe(true);
  });

  it("rejects 32 KiB + 1 byte, counting UTF-8 bytes rather than characters", () => {
    expect(issues({ environmentId: "env_1", prompt: "a".repeat(32 * KIB + 1) }).join(" ")).toMatch(/larger than 32 KiB/);
    // Fewer than 32 Ki characters, but one byte too many.
    const multibyte = `${"€".repeat(10922)}abc`;
    expect(multibyte.length).toBeLessThan(32 * KIB);
    expect(Buffer.byteLength(multibyte)).toBe(32 * KIB + 1);
    expect(issues({ environmentId: "env_1", prompt: multibyte }).join(" ")).toMatch(/larger than 32 KiB/);
    // A 4-byte emoji counts as 4 bytes (2 UTF-16 units).
    const emoji = `${"a".repeat(32 * KIB - 3)}😀`;
    expect(Buffer.byteLength(emoji)).toBe(32 * KIB + 1);
    expect(schema.safeParse({ environmentId: "env_1", prompt: emoji }).success).toBe(false);
  });

  it("uses the limit it was built with", () => {
    expect(createTaskSchema(10).safeParse({ environmentId: "e", prompt: "a".repeat(11) }).success).toBe(false);
    expect(createTaskSchema(10).safeParse({ environmentId: "e", prompt: "a".repeat(10) }).success).toBe(true);
  });

  it.each(["-x", "a..b", "a b", "x.lock", "HEAD", ""])("rejects the invalid branch %j", (branch) => {
    expect(schema.safeParse({ environmentId: "env_1", prompt: "x", branch }).success).toBe(false);
  });

  it("rejects extra keys", () => {
    const result = schema.safeParse({ environmentId: "env_1", prompt: "x", yolo: true });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe("unrecognized_keys");
  });

  it("takes the mode: code (default) or ask, nothing else", () => {
    expect(schema.parse({ environmentId: "env_1", prompt: "x", mode: "ask" }).mode).toBe("ask");
    expect(schema.safeParse({ environmentId: "env_1", prompt: "x", mode: "yolo" }).success).toBe(false);
  });

  it("requires an environment", () => {
    expect(issues({ prompt: "x" }).length).toBeGreaterThan(0);
    expect(issues({ environmentId: "", prompt: "x" })).toContain("environmentId is required.");
  });
});
