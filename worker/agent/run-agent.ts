// The agent loop: ask the model, run the tools it calls in the sandbox, feed results back, until it
// answers without tool calls or a budget (steps, wall time) runs out. Every step is visible as events.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ResponseInputItem, ResponseOutputItem } from "openai/resources/responses/responses";
import type { EventBody } from "@/lib/events";
import type { SandboxDriver, SandboxHandle } from "@/worker/sandbox/driver";
import type { ModelClient } from "./model";
import { dispatchToolCall, toolDefinitions, type defaultTools } from "./tools/registry";
import { createShellSession, type ShellSession } from "./tools/shell-session";
import type { AgentPreview, ToolOutput } from "./tools/tool";
import { parsePatch } from "./apply-patch/parse-patch";
import { createNestedInstructions, type SandboxReader } from "./nested-instructions";
import { COMPACTION_THRESHOLD, compactConversation } from "./compaction";

const SYSTEM_PROMPTS = {
  code: readFileSync(path.join(import.meta.dirname, "prompts/system.md"), "utf8"),
  ask: readFileSync(path.join(import.meta.dirname, "prompts/ask.md"), "utf8"),
  review: readFileSync(path.join(import.meta.dirname, "prompts/review.md"), "utf8"),
} as const;
const MAX_AGENTS_MD_BYTES = 32 * 1024;

export type AgentRunInput = {
  model: ModelClient;
  mode: keyof typeof SYSTEM_PROMPTS;
  tools: typeof defaultTools;
  preview?: AgentPreview;
  driver: SandboxDriver;
  sandbox: SandboxHandle;
  /** The sandbox's shell session, when the caller started it early (while the workspace was loading). */
  shell?: ShellSession;
  prompt: string;
  /** Messages the person sent while this attempt runs; checked before every model call. */
  takeSteering?: () => Promise<string[]>;
  /** Earlier turns of the task (follow-ups): what the person asked and how the agent answered. */
  history?: { prompt: string; reply: string }[];
  environmentInstructions: string | null;
  maxSteps: number;
  /** The model's context window in tokens; near it the conversation is compacted (0 = never). */
  contextWindowTokens?: number;
  /** USD per million input/output tokens, for the cost estimate; null = unknown (no cost budget). */
  prices?: { inputPerMTok: number; outputPerMTok: number } | null;
  /** Estimated cost budget in USD (0 = none); past it the run stops with the partial diff kept. */
  maxCostUsd?: number;
  /** Input + output tokens over the whole run; past it the run stops with the partial diff kept. */
  maxTokens: number;
  deadline: number;
  commandTimeoutSec: number;
  signal: AbortSignal;
  emit: (body: EventBody) => Promise<void>;
  onUsage?: (usage: { inputTokens: number; outputTokens: number; costUsd: number; steps: number }) => Promise<void>;
};

export type AgentStopReason = "done" | "max_steps" | "wall_time" | "tokens" | "cost" | "loop";

/** The same call with the same result this many times in a row means the agent is spinning. */
export const LOOP_REPEATS = 3;
export type AgentRunResult = { stopReason: AgentStopReason; finalMessage: string; steps: number; inputTokens: number; outputTokens: number };

export async function runAgent(run: AgentRunInput): Promise<AgentRunResult> {
  // One shell per run: it ends with the run, and with it whatever the agent left running in the background.
  const shell = run.shell ?? createShellSession(run.driver, run.sandbox);
  try {
    return await agentLoop(run, shell);
  } finally {
    await shell.close().catch(() => undefined);
  }
}

async function agentLoop(run: AgentRunInput, shell: ShellSession): Promise<AgentRunResult> {
  // AGENTS.md files are read through the shell session too: a line on its stdin, not a docker exec each.
  const read: SandboxReader = (command, signal) => shell.run(command, "", { timeoutSec: 20, maxOutputBytes: 2 * MAX_AGENTS_MD_BYTES, signal });
  const instructions = await buildInstructions(run, read);
  const input: ResponseInputItem[] = [
    ...(run.history ?? []).flatMap((turn): ResponseInputItem[] => [
      { role: "user", content: turn.prompt },
      { role: "assistant", content: turn.reply },
    ]),
    { role: "user", content: run.prompt },
  ];
  // Earlier turns and this turn's request survive every compaction verbatim.
  const headLength = input.length;
  const tools = toolDefinitions(run.tools);
  const totals = { inputTokens: 0, outputTokens: 0 };
  let finalMessage = "";
  const loop = createLoopDetector(LOOP_REPEATS);
  const nested = createNestedInstructions(read);

  for (let step = 1; step <= run.maxSteps; step++) {
    if (Date.now() > run.deadline) return { stopReason: "wall_time", finalMessage, steps: step - 1, ...totals };
    for (const text of (await run.takeSteering?.()) ?? []) input.push({ role: "user", content: text });
    const turn = await run.model.turn({
      instructions,
      input,
      tools,
      signal: run.signal,
      onTextDelta: (text) => void run.emit({ type: "message.delta", payload: { text } }),
      onReasoningSummary: (text) => void run.emit({ type: "reasoning.summary", payload: { text } }),
    });
    totals.inputTokens += turn.usage.inputTokens;
    totals.outputTokens += turn.usage.outputTokens;
    const costUsd = estimateCost(totals, run.prices ?? null);
    await run.emit({ type: "usage", payload: { ...totals, ...(run.prices ? { costUsd } : {}) } });
    await run.onUsage?.({ ...totals, costUsd, steps: step });

    let calledTools = false;
    for (const item of turn.items) {
      const text = messageText(item);
      if (text !== null) {
        finalMessage = text;
        await run.emit({ type: "message", payload: { text } });
        input.push({ role: "assistant", content: text });
        continue;
      }
      if (item.type !== "function_call") continue;
      calledTools = true;
      input.push({ type: "function_call", call_id: item.call_id, name: item.name, arguments: item.arguments });
      const output = await dispatchToolCall(run.tools, item, {
        callId: item.call_id,
        driver: run.driver,
        sandbox: run.sandbox,
        signal: run.signal,
        commandTimeoutSec: run.commandTimeoutSec,
        shell,
        emit: run.emit,
        ...(run.preview ? { preview: run.preview } : {}),
      });
      const extra = await nested.forPaths(pathsTouched(item.name, item.arguments), run.signal);
      input.push({ type: "function_call_output", call_id: item.call_id, output: extra ? appendText(output, extra) : output });
      if (loop.record(item.name, item.arguments, output)) {
        await run.emit({
          type: "error",
          payload: { code: "loop", message: `The agent called ${item.name} with the same arguments and got the same result ${LOOP_REPEATS} times in a row.` },
        });
        return { stopReason: "loop", finalMessage, steps: step, ...totals };
      }
    }
    if (!calledTools) return { stopReason: "done", finalMessage, steps: step, ...totals };
    const window = run.contextWindowTokens ?? 0;
    if (window > 0 && turn.usage.inputTokens >= window * COMPACTION_THRESHOLD) {
      const itemsBefore = input.length;
      const compacted = await compactConversation({ model: run.model, conversation: input, headLength, tools, signal: run.signal });
      input.splice(0, input.length, ...compacted.input);
      totals.inputTokens += compacted.usage.inputTokens;
      totals.outputTokens += compacted.usage.outputTokens;
      await run.emit({
        type: "compaction",
        payload: { tokensBefore: turn.usage.inputTokens, itemsBefore, itemsAfter: input.length, summary: compacted.summary },
      });
    }
    if (totals.inputTokens + totals.outputTokens > run.maxTokens) return { stopReason: "tokens", finalMessage, steps: step, ...totals };
    if (run.prices && (run.maxCostUsd ?? 0) > 0 && estimateCost(totals, run.prices) > (run.maxCostUsd ?? 0)) {
      return { stopReason: "cost", finalMessage, steps: step, ...totals };
    }
  }
  return { stopReason: "max_steps", finalMessage, steps: run.maxSteps, ...totals };
}

export function estimateCost(tokens: { inputTokens: number; outputTokens: number }, prices: { inputPerMTok: number; outputPerMTok: number } | null): number {
  if (!prices) return 0;
  return (tokens.inputTokens * prices.inputPerMTok + tokens.outputTokens * prices.outputPerMTok) / 1_000_000;
}

/** Remembers the last calls (name, arguments, result); true once the same triple repeats `repeats` times. */
export function createLoopDetector(repeats: number) {
  let last = "";
  let count = 0;
  return {
    record(name: string, args: string, output: unknown): boolean {
      const signature = createHash("sha256")
        .update(JSON.stringify([name, args, output]))
        .digest("hex");
      count = signature === last ? count + 1 : 1;
      last = signature;
      return count >= repeats;
    },
  };
}

/** Where a call works: the files of a patch, or a shell command's workdir (as a directory). */
function pathsTouched(tool: string, args: string): string[] {
  try {
    const parsed = JSON.parse(args) as { patch?: unknown; workdir?: unknown };
    if (tool === "apply_patch" && typeof parsed.patch === "string") {
      return parsePatch(parsed.patch).operations.flatMap((operation) =>
        operation.type === "update" && operation.moveTo ? [operation.path, operation.moveTo] : [operation.path],
      );
    }
    if (tool === "shell" && typeof parsed.workdir === "string") return [`${parsed.workdir.replace(/\/+$/, "")}/.`];
  } catch {
    // A malformed call already got its error from the tool; it touched nothing.
  }
  return [];
}

function appendText(output: ToolOutput, text: string): ToolOutput {
  return typeof output === "string" ? `${output}\n\n${text}` : [...output, { type: "input_text", text }];
}

function messageText(item: ResponseOutputItem): string | null {
  if (item.type !== "message") return null;
  return item.content.map((part) => (part.type === "output_text" ? part.text : part.refusal)).join("");
}

async function buildInstructions(run: AgentRunInput, read: SandboxReader): Promise<string> {
  const sections = [SYSTEM_PROMPTS[run.mode].trim()];
  if (run.environmentInstructions?.trim()) sections.push(`Instructions from this environment's settings:\n${run.environmentInstructions.trim()}`);
  const agentsMd = await read(`[ -f /workspace/AGENTS.md ] && head -c ${MAX_AGENTS_MD_BYTES} /workspace/AGENTS.md`, run.signal);
  const text = agentsMd.exitCode === 0 ? agentsMd.stdout.toString("utf8").trim() : "";
  if (text) sections.push(`The repository's AGENTS.md (instructions from its maintainers):\n${text}`);
  return sections.join("\n\n");
}
