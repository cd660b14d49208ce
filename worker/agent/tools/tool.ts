// The shape every agent tool has: a name, a self-contained description, zod parameters, whether it
// changes the workspace, and a handler. A handler returns text for the model. It throws ToolFailure
// for mistakes the model can fix (the message goes back to it) and anything else to end the run.
import type { ResponseFunctionCallOutputItemList } from "openai/resources/responses/responses";
import type { z } from "zod";
import type { EventBody } from "@/lib/events";
import type { SandboxDriver, SandboxHandle } from "@/worker/sandbox/driver";
import type { ShellSession } from "./shell-session";

/** Text, or text and images (the screenshot tool returns the picture for the model to look at). */
export type ToolOutput = string | ResponseFunctionCallOutputItemList;

export type ToolContext = {
  callId: string;
  driver: SandboxDriver;
  sandbox: SandboxHandle;
  signal: AbortSignal;
  commandTimeoutSec: number;
  /** The attempt's shell session, where `shell` commands run (its directory and variables carry over). */
  shell: ShellSession;
  emit: (body: EventBody) => Promise<void>;
  /** The app running for the agent's screenshots; absent when the environment has no preview. */
  preview?: AgentPreview;
};

export type AgentPreview = {
  viewports: readonly { name: string; width: number; height: number }[];
  /** Starts (or restarts, when the workspace changed) the app, captures one route, stores the image. */
  capture(
    route: string,
    viewportName: string,
    signal: AbortSignal,
  ): Promise<{ ok: true; png: Buffer; artifactId: string; status: number } | { ok: false; message: string }>;
  close(): Promise<void>;
};

export type AgentTool<Params> = {
  name: string;
  description: string;
  parameters: z.ZodType<Params>;
  isMutating: boolean;
  run(params: Params, context: ToolContext): Promise<ToolOutput>;
};

export class ToolFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolFailure";
  }
}
