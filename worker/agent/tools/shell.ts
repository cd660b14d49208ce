// `shell`: runs one command with bash in the sandbox, as the agent user, under a timeout enforced inside
// the container. Output streams to the timeline as it arrives (batched every 100 ms in ≤ 8 KiB events,
// at most STREAM_LIMIT per command); the command is stopped past COMMAND_OUTPUT_LIMIT, and the model
// gets the exit code plus a head + tail of the combined output (MODEL_OUTPUT_LIMIT).
//
// One shell session per attempt (shell-session.ts): the working directory and exported variables carry
// over between calls, and a command that hangs is killed with its session, which comes back with them.
import { z } from "zod";
import type { ExecResult } from "@/worker/sandbox/driver";
import { capForModel, chunkForEvents, COMMAND_OUTPUT_LIMIT, STREAM_LIMIT } from "./output-cap";
import { ToolFailure, type AgentTool } from "./tool";

const parameters = z.strictObject({
  command: z
    .string()
    .min(1)
    .max(64 * 1024)
    .describe("The bash command to run, e.g. `rg -n useState src` or `npm test`."),
  workdir: z.string().max(1024).optional().describe("Directory to run in, relative to the repository root (default: the repository root)."),
  timeout_sec: z.number().int().min(1).max(3600).optional().describe("Timeout in seconds (capped by the environment's limit)."),
});

const FLUSH_INTERVAL_MS = 100;

export const shellTool: AgentTool<z.infer<typeof parameters>> = {
  name: "shell",
  description:
    "Run a bash command in the repository's sandbox (Debian 13 with Node.js, npm, pnpm, yarn, Python, Go, Rust, Java and build tools; the environment's setup already installed the project's dependencies; no network unless the environment allows it). Use it to read files (cat, sed -n, rg), run builds and tests, and inspect git state. Returns the exit code and combined stdout/stderr (long output is shortened in the middle).",
  parameters,
  isMutating: true,
  async run(params, context) {
    const workdir = params.workdir === undefined ? "" : resolveWorkdir(params.workdir);
    const cwd = workdir || undefined;
    const timeoutSec = Math.min(params.timeout_sec ?? context.commandTimeoutSec, context.commandTimeoutSec);
    await context.emit({ type: "tool.begin", payload: { callId: context.callId, tool: "shell", command: params.command, ...(cwd ? { cwd } : {}) } });

    const ordered: string[] = [];
    let pending: { stream: "stdout" | "stderr"; text: string } | null = null;
    let streamed = 0;
    let flushing = Promise.resolve();
    const flush = () => {
      const batch = pending;
      pending = null;
      if (!batch || streamed >= STREAM_LIMIT) return;
      const text = batch.text.slice(0, STREAM_LIMIT - streamed);
      streamed += text.length;
      flushing = flushing.then(async () => {
        for (const chunk of chunkForEvents(text)) {
          await context.emit({ type: "tool.output", payload: { callId: context.callId, stream: batch.stream, chunk } });
        }
      });
    };
    const timer = setInterval(flush, FLUSH_INTERVAL_MS);
    let result: ExecResult;
    try {
      result = await context.shell.run(params.command, workdir, {
        timeoutSec,
        maxOutputBytes: COMMAND_OUTPUT_LIMIT,
        signal: context.signal,
        onOutput(stream, chunk) {
          const text = chunk.toString("utf8");
          ordered.push(text);
          if (pending && pending.stream !== stream) flush();
          pending = pending ? { stream, text: pending.text + text } : { stream, text };
        },
      });
    } finally {
      clearInterval(timer);
      flush();
      await flushing;
    }

    const { timedOut } = result;
    await context.emit({
      type: "tool.end",
      payload: {
        callId: context.callId,
        tool: "shell",
        ok: result.exitCode === 0,
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        ...(timedOut ? { timedOut: true } : {}),
        ...(result.truncated ? { truncated: true } : {}),
      },
    });

    const output = capForModel(ordered.join(""));
    const notes = [
      timedOut ? `The command timed out after ${timeoutSec} s and was stopped.` : null,
      result.truncated ? `Output exceeded ${COMMAND_OUTPUT_LIMIT / 1024 / 1024} MiB; the command was stopped and its output cut.` : null,
    ].filter(Boolean);
    return [`Exit code: ${result.exitCode ?? "unknown"}`, ...notes, output ? `Output:\n${output}` : "Output: (none)"].join("\n");
  },
};

function resolveWorkdir(workdir: string | undefined): string {
  if (!workdir || workdir === "." || workdir === "/workspace") return "/workspace";
  const relative = workdir.startsWith("/workspace/") ? workdir.slice("/workspace/".length) : workdir;
  if (relative.startsWith("/") || relative.split("/").includes("..")) {
    throw new ToolFailure(`workdir must be inside the repository (got "${workdir}").`);
  }
  return `/workspace/${relative}`;
}
