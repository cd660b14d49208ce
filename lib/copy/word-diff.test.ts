import { describe, expect, it } from "vitest";
import { wordDiff } from "./word-diff";

describe("wordDiff", () => {
  it("marks changed words", () => {
    expect(wordDiff("Sign up for free", "Create an account for free")).toEqual([
      { type: "removed", text: "Sign up" },
      { type: "added", text: "Create an account" },
      { type: "same", text: " for free" },
    ]);
  });

  it("returns one same part for equal text", () => {
    expect(wordDiff("مرحبا 👋", "مرحبا 👋")).toEqual([{ type: "same", text: "مرحبا 👋" }]);
  });
});
