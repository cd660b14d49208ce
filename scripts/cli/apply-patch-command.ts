// `patchbay apply-patch [--cwd DIR] < patch.txt`: applies a Codex-format patch from stdin to a directory.
import { promises as fsp } from "node:fs";
import path from "node:path";
import { applyPatch, formatPatchSummary, PatchError } from "@/worker/agent/apply-patch/apply-patch";
import { createLocalPatchFileSystem } from "@/worker/agent/apply-patch/local-file-system";

export const APPLY_PATCH_USAGE = "usage: patchbay apply-patch [--cwd DIR] < patch.txt";

type Io = { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

function parseArgs(argv: string[]): { cwd: string | null } | { error: string } {
  let cwd: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    let value: string | undefined;
    if (arg === "--cwd") {
      value = argv[++i];
    } else if (arg.startsWith("--cwd=")) {
      value = arg.slice("--cwd=".length);
    } else {
      return { error: arg.startsWith("-") ? `unknown option: ${arg}` : `unexpected argument: ${arg}` };
    }
    if (value === undefined || value === "") return { error: "--cwd needs a directory" };
    if (cwd !== null) return { error: "--cwd given more than once" };
    cwd = value;
  }
  return { cwd };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

export async function applyPatchCommand(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv);
  if ("error" in args) {
    io.stderr.write(`apply-patch: ${args.error}\n${APPLY_PATCH_USAGE}\n`);
    return 2;
  }
  const cwd = path.resolve(process.cwd(), args.cwd ?? ".");
  const stat = await fsp.stat(cwd).catch(() => null);
  if (!stat?.isDirectory()) {
    io.stderr.write(`apply-patch: not a directory: ${cwd}\n`);
    return 1;
  }

  try {
    const summary = await applyPatch(await readAll(io.stdin), createLocalPatchFileSystem(cwd));
    io.stdout.write(`${formatPatchSummary(summary)}\n`);
    return 0;
  } catch (error) {
    // applyPatch reports every patch and file-system problem as a PatchError; anything else is a bug and
    // should surface with its stack trace.
    if (!(error instanceof PatchError)) throw error;
    io.stderr.write(`apply-patch: ${error.message}\n`);
    return 1;
  }
}
