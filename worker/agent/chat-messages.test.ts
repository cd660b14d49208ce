import { describe, expect, it } from "vitest";
import { toChatMessages } from "./model";

describe("toChatMessages", () => {
  it("turns the loop's conversation into chat messages with tool calls and tool results", () => {
    const messages = toChatMessages("Be brief.", [
      { role: "user", content: "Fix it" },
      { type: "function_call", call_id: "c1", name: "shell", arguments: '{"command":"ls"}' },
      { type: "function_call", call_id: "c2", name: "shell", arguments: '{"command":"pwd"}' },
      { type: "function_call_output", call_id: "c1", output: "a.txt" },
      { type: "function_call_output", call_id: "c2", output: "/workspace" },
      { role: "assistant", content: "Done." },
    ]);
    expect(messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Fix it" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "c1", type: "function", function: { name: "shell", arguments: '{"command":"ls"}' } },
          { id: "c2", type: "function", function: { name: "shell", arguments: '{"command":"pwd"}' } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "a.txt" },
      { role: "tool", tool_call_id: "c2", content: "/workspace" },
      { role: "assistant", content: "Done." },
    ]);
  });

  it("sends a screenshot result as text in the tool message and the image in a user message", () => {
    const messages = toChatMessages("x", [
      { type: "function_call", call_id: "s1", name: "screenshot", arguments: "{}" },
      {
        type: "function_call_output",
        call_id: "s1",
        output: [
          { type: "input_text", text: "Screenshot of /" },
          { type: "input_image", image_url: "data:image/png;base64,AAAA", detail: "auto" },
        ],
      },
    ]);
    expect(messages.slice(2)).toEqual([
      { role: "tool", tool_call_id: "s1", content: "Screenshot of /" },
      { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] },
    ]);
  });
});
