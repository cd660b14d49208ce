// AGENTS.md files below the repository root apply to the files under their directory (the nearest one
// wins, as in Codex). The root file is part of the instructions from the start; deeper ones are read
// when the agent first works in their directory and appended to that tool result, once each.
import type { ExecResult } from "@/worker/sandbox/driver";
import { shellQuote } from "@/worker/sandbox/shell-quote";

const MAX_FILE_BYTES = 8 * 1024;
const MAX_TOTAL_BYTES = 32 * 1024;

// Prints "<dir>\0<content>\0" for each given directory that has an AGENTS.md (capped per file).
const READ_SCRIPT = `for dir in "$@"; do
  if [ -f "$dir/AGENTS.md" ]; then printf '%s\\0' "$dir"; head -c ${MAX_FILE_BYTES} "$dir/AGENTS.md"; printf '\\0'; fi
done`;

export type NestedInstructions = { forPaths(paths: readonly string[], signal: AbortSignal): Promise<string | null> };

/** Runs a bash command in the sandbox (the attempt's shell session) and gives its output. */
export type SandboxReader = (command: string, signal: AbortSignal) => Promise<ExecResult>;

export function createNestedInstructions(read: SandboxReader): NestedInstructions {
  const checked = new Set<string>();
  let delivered = 0;
  return {
    async forPaths(paths, signal) {
      const dirs = [...new Set(paths.flatMap(ancestorDirs))].filter((dir) => !checked.has(dir)).sort((a, b) => a.length - b.length);
      if (dirs.length === 0 || delivered >= MAX_TOTAL_BYTES) return null;
      for (const dir of dirs) checked.add(dir);
      // A subshell: the session's own directory and arguments stay as the agent left them.
      const result = await read(
        `(cd /workspace && set -- ${dirs.map(shellQuote).join(" ")}
${READ_SCRIPT}
)`,
        signal,
      );
      const parts = result.stdout.toString("utf8").split("\0");
      const sections: string[] = [];
      for (let index = 0; index + 1 < parts.length; index += 2) {
        const text = (parts[index + 1] ?? "").trim();
        if (!text || delivered >= MAX_TOTAL_BYTES) continue;
        delivered += Buffer.byteLength(text);
        sections.push(`--- ${parts[index]}/AGENTS.md (applies to files under ${parts[index]}/) ---\n${text}`);
      }
      if (sections.length === 0) return null;
      return `Instructions from AGENTS.md files for this part of the repository (a deeper file wins over a shallower one and over the root AGENTS.md):\n${sections.join("\n")}`;
    },
  };
}

/** "src/a/b.ts" → ["src", "src/a"]; the root is excluded (its AGENTS.md is in the instructions). */
export function ancestorDirs(filePath: string): string[] {
  const clean = filePath.replace(/^\/workspace\/?/, "").replace(/^\.\//, "");
  if (clean.startsWith("/") || clean.split("/").includes("..")) return [];
  const segments = clean.split("/").filter(Boolean);
  const dirs: string[] = [];
  for (let depth = 1; depth < segments.length; depth++) dirs.push(segments.slice(0, depth).join("/"));
  return dirs;
}
