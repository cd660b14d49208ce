// `shell`: runs one command with bash in the sandbox, as the agent user, under a timeout enforced inside
// the container. Output streams to the timeline as it arrives (batched every 100 ms in ≤ 8 KiB events,
// at most STREAM_LIMIT per command); the command is stopped past COMMAND_OUTPUT_LIMIT, and the model
// gets the exit code plus a head + tail of the combined output (MODEL_OUTPUT_LIMIT).
//
// One shell session per attempt: the working directory and exported variables carry over between
// calls. Each call is its own process (so a timeout or crash cannot wedge the session), which restores
// the session from a state file in $HOME (tmpfs, the agent's own) and saves it again on exit.
import { z } from "zod";
import { isTimeoutExit, type ExecResult } from "@/worker/sandbox/driver";
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

// Restores the session (exported variables, then the directory), runs the command in this shell so
// `cd` and `export` take effect, and saves the session on any exit, also after `exit` or a failure.
// Bash's own bookkeeping variables are not carried over.
export const SESSION_SCRIPT = `state="$HOME/.patchbay-shell"
if [ -f "$state/env" ]; then . "$state/env"; fi
cd "$(cat "$state/cwd" 2>/dev/null || echo /workspace)" 2>/dev/null || cd /workspace
if [ -n "$2" ]; then cd -- "$2" || exit 1; fi
save_session() {
  mkdir -p "$state"
  pwd > "$state/cwd"
  export -p | grep -v -E '^declare -x (PWD|OLDPWD|SHLVL|_|HOME|PATCHBAY_EXEC)=' > "$state/env"
}
trap save_session EXIT
eval "$1"`;

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
      result = await context.driver.exec(context.sandbox, ["bash", "-lc", SESSION_SCRIPT, "shell", params.command, workdir], {
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

    const timedOut = isTimeoutExit(result.exitCode) && result.durationMs >= timeoutSec * 1000 - 500;
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
