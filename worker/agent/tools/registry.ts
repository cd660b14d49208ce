// The tool registry: definitions for the model, argument parsing, and dispatch. Bad arguments and
// ToolFailures go back to the model as the call's output; every other error ends the run.
import { z } from "zod";
import type { FunctionTool } from "openai/resources/responses/responses";
import { applyPatchTool } from "./apply-patch";
import { shellTool } from "./shell";
import { updatePlanTool } from "./update-plan";
import { screenshotTool } from "./screenshot";
import { type CommentReplies, replyToCommentTool } from "./reply-to-comment";
import { type FindingReports, reportFindingTool } from "./report-finding";
import { ToolFailure, type AgentTool, type ToolContext, type ToolOutput } from "./tool";

// Each tool keeps its own parameter type; the registry only needs the common shape.
type AnyTool = AgentTool<never>;

export const defaultTools: readonly AnyTool[] = [shellTool as AnyTool, applyPatchTool as AnyTool, updatePlanTool as AnyTool];

/**
 * The tools for one attempt: ask mode reads and plans only (its workspace is read-only anyway);
 * screenshots only where the environment says how to run the app; reply_to_comment only in a turn that
 * carries review comments; a review reads, runs and reports findings.
 */
export function toolsFor(options: {
  mode: "code" | "ask" | "review";
  preview: boolean;
  comments?: CommentReplies;
  findings?: FindingReports;
}): readonly AnyTool[] {
  if (options.mode === "ask") return [shellTool as AnyTool, updatePlanTool as AnyTool];
  if (options.mode === "review") {
    return [shellTool as AnyTool, updatePlanTool as AnyTool, ...(options.findings ? [reportFindingTool(options.findings) as AnyTool] : [])];
  }
  return [
    ...defaultTools,
    ...(options.preview ? [screenshotTool as AnyTool] : []),
    ...(options.comments && options.comments.comments.length > 0 ? [replyToCommentTool(options.comments) as AnyTool] : []),
  ];
}

export function toolDefinitions(tools: readonly AnyTool[]): FunctionTool[] {
  return tools.map((tool) => ({
    type: "function",
    name: tool.name,
    description: tool.description,
    parameters: z.toJSONSchema(tool.parameters as z.ZodType) as Record<string, unknown>,
    strict: false,
  }));
}

export async function dispatchToolCall(tools: readonly AnyTool[], call: { name: string; arguments: string }, context: ToolContext): Promise<ToolOutput> {
  let began = false;
  const tracked: ToolContext = {
    ...context,
    emit: async (body) => {
      if (body.type === "tool.begin") began = true;
      await context.emit(body);
    },
  };
  const fail = async (message: string): Promise<string> => {
    if (!began) {
      await context.emit({ type: "tool.begin", payload: { callId: context.callId, tool: call.name } });
      await context.emit({ type: "tool.end", payload: { callId: context.callId, tool: call.name, ok: false, durationMs: 0, error: message } });
    }
    return `Error: ${message}`;
  };

  const tool = tools.find((candidate) => candidate.name === call.name);
  if (!tool) return fail(`Unknown tool "${call.name}". Available tools: ${tools.map((t) => t.name).join(", ")}.`);
  let raw: unknown;
  try {
    raw = JSON.parse(call.arguments || "{}");
  } catch {
    return fail(`The arguments for ${call.name} are not valid JSON.`);
  }
  const parsed = (tool.parameters as z.ZodType).safeParse(raw);
  if (!parsed.success) return fail(`Invalid arguments for ${call.name}: ${z.prettifyError(parsed.error)}`);
  try {
    return await (tool as AgentTool<unknown>).run(parsed.data, tracked);
  } catch (error) {
    if (error instanceof ToolFailure) return fail(error.message);
    throw error;
  }
}
