// The shape every agent tool has: a name, a self-contained description, zod parameters, whether it
// changes the workspace, and a handler. A handler returns text for the model. It throws ToolFailure
// for mistakes the model can fix (the message goes back to it) and anything else to end the run.
import type { z } from "zod";
import type { EventBody } from "@/lib/events";
import type { SandboxDriver, SandboxHandle } from "@/worker/sandbox/driver";

export type ToolContext = {
  callId: string;
  driver: SandboxDriver;
  sandbox: SandboxHandle;
  signal: AbortSignal;
  commandTimeoutSec: number;
  emit: (body: EventBody) => Promise<void>;
};

export type AgentTool<Params> = {
  name: string;
  description: string;
  parameters: z.ZodType<Params>;
  isMutating: boolean;
  run(params: Params, context: ToolContext): Promise<string>;
};

export class ToolFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolFailure";
  }
}
