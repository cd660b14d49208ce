import { describe, expect, it } from "vitest";
import { parseModelScript } from "./script.schemas";
import { findScriptMarker, loadBuiltinScripts, nextStepIndex, stripMarkers, substitutePrompt, userTexts } from "./server";

describe("script schema", () => {
  it("accepts reply and fault steps and defaults call arguments", () => {
    const script = parseModelScript(
      { steps: [{ say: "hi", calls: [{ name: "shell" }] }, { fault: "http-429", repeat: 2, delayMs: 5 }, { calls: [{ name: "x", arguments: "not json" }] }] },
      "test",
    );
    expect(script.steps[0]).toEqual({ say: "hi", calls: [{ name: "shell", arguments: {} }] });
    expect(script.steps[2]).toEqual({ calls: [{ name: "x", arguments: "not json" }] });
  });

  it("rejects typos, empty steps and unknown faults", () => {
    expect(() => parseModelScript({ steps: [{ call: [] }] }, "typo")).toThrow(/invalid model script typo/);
    expect(() => parseModelScript({ steps: [{}] }, "empty")).toThrow();
    expect(() => parseModelScript({ steps: [{ fault: "http-418" }] }, "fault")).toThrow();
    expect(() => parseModelScript({ steps: [{ say: "x", repeat: 2 }] }, "repeat")).toThrow();
  });

  it("ships valid built-in scripts, including demo", async () => {
    const scripts = await loadBuiltinScripts();
    expect(scripts.has("demo")).toBe(true);
  });
});

describe("request interpretation", () => {
  it("reads user texts from string and item inputs", () => {
    expect(userTexts("hello")).toEqual(["hello"]);
    expect(
      userTexts([
        { role: "developer", content: "[[script:no]]" },
        {
          role: "user",
          content: [
            { type: "input_text", text: "a" },
            { type: "input_image", image_url: "x" },
            { type: "input_text", text: "b" },
          ],
        },
        { type: "message", role: "user", content: "c" },
      ]),
    ).toEqual(["a\nb", "c"]);
    // Chat completions messages read the same way (text parts are { type: "text" }).
    expect(
      userTexts([
        { role: "system", content: "[[script:no]]" },
        {
          role: "user",
          content: [
            { type: "text", text: "a" },
            { type: "image_url", image_url: { url: "x" } },
          ],
        },
        { role: "tool", tool_call_id: "call_0_0_x", content: "[[script:no]]" },
        { role: "user", content: "b" },
      ]),
    ).toEqual(["a", "b"]);
  });

  it("finds the latest message's marker (a follow-up can switch scripts) and strips markers from the prompt", () => {
    expect(findScriptMarker(["no marker", "x [[script:one]] [[script:two]]", "[[script:three]]"])).toBe("three");
    expect(findScriptMarker(["x [[script:one]] [[script:two]]", "no marker"])).toBe("one");
    expect(findScriptMarker(["none"])).toBeUndefined();
    expect(stripMarkers("[[script:one]] fix it")).toBe("fix it");
  });

  it("derives the next step from minted call and message ids", () => {
    expect(nextStepIndex("text")).toBe(0);
    expect(nextStepIndex([{ role: "user", content: "x" }])).toBe(0);
    expect(
      nextStepIndex([
        { type: "function_call", call_id: "call_0_0_ab", name: "shell", arguments: "{}" },
        { type: "function_call_output", call_id: "call_2_1_cd", output: "" },
        { type: "function_call_output", call_id: "call_foreign", output: "" },
      ]),
    ).toBe(3);
    expect(nextStepIndex([{ type: "message", role: "assistant", id: "msg_4_abc", content: [] }])).toBe(5);
  });

  it("derives the next step from chat completions tool_calls and tool_call_ids with the same scheme", () => {
    expect(
      nextStepIndex([
        { role: "system", content: "x" },
        { role: "user", content: "y" },
      ]),
    ).toBe(0);
    expect(
      nextStepIndex([
        { role: "user", content: "go" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_0_0_ab", type: "function", function: { name: "shell", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_0_0_ab", content: "ok" },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            { id: "call_foreign", type: "function" },
            { id: "call_3_1_ef", type: "function" },
          ],
        },
        { role: "tool", tool_call_id: "call_2_0_cd", content: "ok" },
        { role: "tool", tool_call_id: "call_foreign", content: "ok" },
      ]),
    ).toBe(4);
    // Chat messages have no id, so a text-only assistant message does not advance the script
    // (just like a Responses assistant message resent without its msg_ id).
    expect(
      nextStepIndex([
        { role: "assistant", content: "All done." },
        { role: "user", content: "more" },
      ]),
    ).toBe(0);
  });

  it("substitutes {{prompt}} keeping patch added lines prefixed", () => {
    expect(substitutePrompt("Task: {{prompt}}!", "a $& b")).toBe("Task: a $& b!");
    expect(substitutePrompt("*** Add File: x\n+Task: {{prompt}}\n*** End Patch", "one\r\ntwo\n\nthree")).toBe(
      "*** Add File: x\n+Task: one\n+two\n+\n+three\n*** End Patch",
    );
    expect(substitutePrompt("plain {{prompt}}", "a\nb")).toBe("plain a\nb");
  });
});
