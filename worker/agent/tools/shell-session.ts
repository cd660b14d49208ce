// The agent's shell: one bash process per attempt, kept running in the sandbox, that runs each command in
// itself, so `cd` and `export` carry over and a call costs a line on its stdin instead of a new
// `docker exec` (milliseconds instead of a hundred). Commands run one at a time.
//
// The session saves its directory and exported variables after every command (bash builtins only, no
// fork). A command that outlives its timeout, prints more than the cap, or is cancelled has the whole
// session killed (it and everything it started); the next command starts a new session that restores
// the last saved state, so a hung command cannot wedge later calls. A command that exits the shell
// (`exit 3`) ends the session the same way, with its own exit code.
//
// A command is sent as a header line (marker and lengths) followed by its bytes and those of its input.
// The end of a command is a line with a random marker, written after its output on stdout (with the exit
// code) and on stderr, so both streams are known to be drained; the marker is removed before the output
// reaches the model or the timeline.
import { randomBytes } from "node:crypto";
import { AppError } from "@/lib/errors";
import type { ExecResult, SandboxDriver, SandboxHandle, SpawnedProcess } from "@/worker/sandbox/driver";

// Bash's own bookkeeping variables, and the exec tag of the session that saved them, are not restored.
const SERVER_SCRIPT = `state="$HOME/.patchbay-shell"
mkdir -p "$state"
if [ -f "$state/env" ]; then . <(grep -v -E '^declare -x (PWD|OLDPWD|SHLVL|_|HOME|PATCHBAY_EXEC)=' "$state/env"); fi
cd "$(cat "$state/cwd" 2>/dev/null || echo /workspace)" 2>/dev/null || cd /workspace
save_session() {
  printf '%s\\n' "$PWD" > "$state/cwd"
  export -p > "$state/env"
}
trap save_session EXIT
while IFS=' ' read -r __pb_marker __pb_length __pb_dir_length __pb_input_length; do
  LC_ALL=C IFS= read -r -N "$__pb_length" __pb_command
  __pb_status=0
  __pb_dir=""
  if [ "$__pb_dir_length" -gt 0 ]; then LC_ALL=C IFS= read -r -N "$__pb_dir_length" __pb_dir; fi
  __pb_input=/dev/null
  # Input that could not all be read leaves the rest where the next header should be: the session ends.
  if [ "$__pb_input_length" -gt 0 ]; then __pb_input="$state/input"; head -c "$__pb_input_length" > "$__pb_input" || exit 125; fi
  if [ -n "$__pb_dir" ] && [ "$__pb_status" = 0 ]; then cd -- "$__pb_dir" || __pb_status=1; fi
  if [ "$__pb_status" = 0 ]; then eval "$__pb_command" < "$__pb_input"; __pb_status=$?; fi
  [ "$__pb_input" = /dev/null ] || rm -f -- "$__pb_input"
  save_session
  printf '\\n%s %s\\n' "$__pb_marker" "$__pb_status"
  printf '\\n%s\\n' "$__pb_marker" >&2
done`;

// What a warm sandbox starts with (the driver's warmPool.startedProcess), so its attempt's shell needs no
// `docker exec` of its own: it waits on stdin for a line of byte lengths, then the attempt's variables
// ("NAME=value", one per length) and the session script, and becomes the session (exec) with the
// environment a fresh exec would have had: the container's plus the variables. Unsetting SHLVL lets the
// session count itself as the first shell, as a fresh one does.
const LAUNCHER_SCRIPT = `IFS=' ' read -r -a __pb_lengths || exit 1
__pb_vars=()
for ((__pb_i = 0; __pb_i < \${#__pb_lengths[@]} - 1; __pb_i++)); do
  LC_ALL=C IFS= read -r -N "\${__pb_lengths[__pb_i]}" __pb_var || exit 1
  __pb_vars+=("$__pb_var")
done
LC_ALL=C IFS= read -r -N "\${__pb_lengths[-1]}" __pb_script || exit 1
unset SHLVL
exec env -- "\${__pb_vars[@]}" bash -l -c "$__pb_script" shell`;

export const SHELL_LAUNCHER = ["bash", "-c", LAUNCHER_SCRIPT, "launcher"];

export type ShellRunOptions = {
  timeoutSec: number;
  /** Output beyond this (stdout + stderr) is dropped and the session is killed; `truncated` is set. */
  maxOutputBytes: number;
  signal?: AbortSignal;
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  /**
   * Bytes for the command's stdin (otherwise /dev/null), e.g. a small archive to extract. They follow the
   * command on the session's stdin and are read by count into a file under the session's state directory,
   * so a command that reads less than all of them cannot leave the rest to be taken for the next command.
   */
  input?: Uint8Array;
};

export type ShellSession = {
  /** Starts the shell now (it is otherwise started by the first command), e.g. while the workspace loads. */
  warm(): void;
  /** Runs one command; `workdir` (absolute) becomes the session's directory first. */
  run(command: string, workdir: string, options: ShellRunOptions): Promise<ExecResult>;
  /** Ends the session (the attempt is over). */
  close(): Promise<void>;
};

/** Exit codes reported like `timeout`'s, so callers read them as before (see isTimeoutExit). */
const TIMED_OUT = 124;
const KILLED = 137;

/** How a command ended: both markers seen, too much output, the shell exited, its timeout, a cancel. */
type Ending = "done" | "overflow" | "exited" | "timeout" | "cancelled";

/** How the current command's output is being read: up to its markers, forwarded as it comes. */
type Reading = {
  marker: string;
  /** The end-of-command lines this command's output is searched for. */
  ends: Record<"stdout" | "stderr", RegExp>;
  pending: Record<"stdout" | "stderr", string>;
  done: Record<"stdout" | "stderr", boolean>;
  collected: Record<"stdout" | "stderr", Buffer[]>;
  bytes: number;
  status: number | null;
  options: ShellRunOptions;
  /** The first ending counts; later ones (the exit that follows a kill) are ignored. */
  finish: (ending: Ending) => void;
};

export function createShellSession(driver: SandboxDriver, sandbox: SandboxHandle): ShellSession {
  let process: SpawnedProcess | null = null;
  let reading: Reading | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  // Output arrives as bytes; latin1 keeps one character per byte, so marker offsets are byte offsets.
  const onOutput = (stream: "stdout" | "stderr", chunk: Buffer) => {
    const current = reading;
    if (!current || current.done[stream]) return;
    const text = current.pending[stream] + chunk.toString("latin1");
    const end = current.ends[stream].exec(text);
    if (end) {
      if (stream === "stdout") current.status = Number(end[1]);
      current.done[stream] = true;
      current.pending[stream] = "";
      forward(current, stream, text.slice(0, end.index));
      if (current.done.stdout && current.done.stderr) current.finish("done");
      return;
    }
    // A last line that may be the start of the marker line is held back until the next chunk says.
    const newline = text.lastIndexOf("\n");
    const tail = text.slice(newline + 1);
    const mayBeMarker = newline >= 0 && (tail.length <= current.marker.length ? current.marker.startsWith(tail) : tail.startsWith(current.marker));
    const held = mayBeMarker ? newline : text.length;
    current.pending[stream] = text.slice(held);
    forward(current, stream, text.slice(0, held));
  };

  const forward = (current: Reading, stream: "stdout" | "stderr", text: string) => {
    if (text.length === 0) return;
    const room = current.options.maxOutputBytes - current.bytes;
    const bytes = Buffer.from(text.length > room ? text.slice(0, Math.max(0, room)) : text, "latin1");
    current.bytes += bytes.length;
    if (bytes.length > 0) {
      current.collected[stream].push(bytes);
      current.options.onOutput?.(stream, bytes);
    }
    if (text.length > room) current.finish("overflow");
  };

  async function start(): Promise<SpawnedProcess> {
    const adopted = driver.adoptStarted(sandbox, onOutput);
    if (adopted) {
      const parts = [...(sandbox.env ?? []), SERVER_SCRIPT];
      adopted.write(`${parts.map((part) => Buffer.byteLength(part, "utf8")).join(" ")}\n${parts.join("")}`);
    }
    const started = adopted ?? (await driver.spawn(sandbox, ["bash", "-l", "-c", SERVER_SCRIPT, "shell"], { onOutput }));
    void started.exited.then(() => {
      if (process === started) process = null;
      reading?.finish("exited");
    });
    return started;
  }

  // The session being started (a spawn takes as long as an exec): warm() and the first command share it.
  let starting: Promise<SpawnedProcess> | null = null;
  const running = async (): Promise<SpawnedProcess> => {
    if (process) return process;
    starting ??= start().finally(() => {
      starting = null;
    });
    process = await starting;
    return process;
  };

  async function runOne(command: string, workdir: string, options: ShellRunOptions): Promise<ExecResult> {
    if (closed) throw new AppError("cancelled", "The attempt's shell is closed.");
    if (options.signal?.aborted) throw new AppError("cancelled", "Cancelled.");
    const began = Date.now();
    const session = await running();
    const marker = `__patchbay_${randomBytes(12).toString("hex")}`;
    // Set from the callbacks below; an object, so the compiler does not take it for never assigned.
    const result: { ended: Ending | null } = { ended: null };
    const current: Reading = {
      marker,
      ends: { stdout: new RegExp(`\\n${marker} (\\d+)\\n`), stderr: new RegExp(`\\n${marker}\\n`) },
      pending: { stdout: "", stderr: "" },
      done: { stdout: false, stderr: false },
      collected: { stdout: [], stderr: [] },
      bytes: 0,
      status: null,
      options,
      finish: () => undefined,
    };
    const finished = new Promise<void>((resolve) => {
      current.finish = (ending) => {
        result.ended ??= ending;
        resolve();
      };
    });
    reading = current;
    const timer = setTimeout(() => current.finish("timeout"), options.timeoutSec * 1000);
    const abort = () => current.finish("cancelled");
    options.signal?.addEventListener("abort", abort, { once: true });
    // A header line, then the command and the directory as bytes, read by count (`read -N` in the C locale
    // counts bytes): no decoding process per command, and any text, newlines included, arrives as written.
    // The command's input, if any, comes last (`head -c` reads exactly its count).
    const length = (text: string) => Buffer.byteLength(text, "utf8");
    const input = options.input ?? new Uint8Array(0);
    session.write(`${marker} ${length(command)} ${length(workdir)} ${input.byteLength}\n${command}${workdir}`);
    if (input.byteLength > 0) session.write(input);
    try {
      await finished;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", abort);
      reading = null;
    }
    const outcome: Ending = result.ended ?? "done";
    let exitCode = current.status;
    if (outcome !== "done") {
      // The session cannot be trusted past a command it did not finish: it goes, with all it started.
      if (process === session) process = null;
      if (outcome === "exited") exitCode = await session.exited;
      else await session.kill();
      if (outcome === "cancelled") throw new AppError("cancelled", "Cancelled.");
      if (outcome === "timeout") exitCode = TIMED_OUT;
      if (outcome === "overflow") exitCode = KILLED;
      // What the command printed last, held back in case a marker followed (none came).
      if (outcome !== "overflow") for (const stream of ["stdout", "stderr"] as const) forward(current, stream, current.pending[stream]);
    }
    return {
      exitCode,
      stdout: Buffer.concat(current.collected.stdout),
      stderr: Buffer.concat(current.collected.stderr),
      truncated: outcome === "overflow",
      timedOut: outcome === "timeout",
      durationMs: Date.now() - began,
    };
  }

  return {
    warm() {
      // A failed start is not an error here: the first command starts it again and reports its failure.
      if (!closed) running().catch(() => undefined);
    },
    run(command, workdir, options) {
      const result = queue.then(() => runOne(command, workdir, options));
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      closed = true;
      await queue;
      await starting?.catch(() => undefined);
      const session = process;
      process = null;
      await session?.kill();
    },
  };
}
