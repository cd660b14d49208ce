// Context compaction: when a model call's input nears the model's context window, the run so far is
// summarised into a handoff by the model itself, and the conversation continues from the original
// request, that summary and the most recent tool exchange. The timeline shows each compaction.
import type { FunctionTool, ResponseInputItem } from "openai/resources/responses/responses";
import type { ModelClient } from "./model";

/** The first line is a stable marker (the scripted test model recognises compaction requests by it). */
export const COMPACTION_INSTRUCTIONS = `Patchbay context compaction.
You are writing a handoff for the coding agent that will continue this task with a fresh context.
Summarise the conversation so far: the request, what has been done (files changed, commands run and
their important results), what was learned about the code, and what remains to do. Be specific and
brief; include exact paths, names and error messages that matter. Do not call tools.`;

export const COMPACTION_THRESHOLD = 0.8;

export type CompactionResult = { input: ResponseInputItem[]; summary: string; usage: { inputTokens: number; outputTokens: number } };

/**
 * The head (everything up to and including the first user request of this turn) and the tail (the last
 * model turn: its calls and their results, kept whole so every call has its output) stay verbatim.
 */
export async function compactConversation(input: {
  model: ModelClient;
  conversation: ResponseInputItem[];
  headLength: number;
  tools: FunctionTool[];
  signal: AbortSignal;
}): Promise<CompactionResult> {
  const turn = await input.model.turn({
    instructions: COMPACTION_INSTRUCTIONS,
    input: [...input.conversation, { role: "user", content: "Write the handoff summary now." }],
    tools: input.tools,
    toolChoice: "none",
    signal: input.signal,
  });
  const summary = turn.items
    .flatMap((item) => (item.type === "message" ? item.content.map((part) => (part.type === "output_text" ? part.text : "")) : []))
    .join("")
    .trim();
  const head = input.conversation.slice(0, input.headLength);
  const tail = input.conversation.slice(lastTurnStart(input.conversation, input.headLength));
  return {
    input: [...head, { role: "assistant", content: `Handoff summary of the work so far (the earlier context was compacted):\n${summary}` }, ...tail],
    summary,
    usage: turn.usage,
  };
}

/** Index where the last model turn's items begin: the run of function calls before the final outputs. */
function lastTurnStart(items: ResponseInputItem[], floor: number): number {
  let index = items.length;
  while (index > floor && isType(items[index - 1], "function_call_output")) index--;
  while (index > floor && isType(items[index - 1], "function_call")) index--;
  return index;
}

function isType(item: ResponseInputItem | undefined, type: string): boolean {
  return Boolean(item && "type" in item && item.type === type);
}
