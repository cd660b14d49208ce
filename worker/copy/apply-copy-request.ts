// Copy mode's replacement for the agent: the person's edits are applied to the files of the base commit
// (read from the clean mirror, edited by lib/copy with byte-range replacements), and the result goes into
// the sandbox as a patch applied there with git. All or nothing: any problem fails the attempt with one
// line per edit, and nothing is applied.
import { createTwoFilesPatch } from "diff";
import { applyCopyEdits, CopyEditError } from "@/lib/copy/apply-edits";
import type { CopyChange, CopyRequest } from "@/lib/copy/copy-request";
import { AppError } from "@/lib/errors";
import { applyPatchInSandbox } from "@/worker/repos/restore-changes";
import type { SandboxDriver, SandboxHandle } from "@/worker/sandbox/driver";
import { readCopyFiles } from "./copy-files";

export async function applyCopyRequest(input: {
  driver: SandboxDriver;
  sandbox: SandboxHandle;
  mirrorPath: string;
  baseCommit: string;
  request: CopyRequest;
  signal: AbortSignal;
}): Promise<{ changes: CopyChange[]; files: string[] }> {
  const files = await readCopyFiles(input.mirrorPath, input.baseCommit, input.request.paths);
  let result: ReturnType<typeof applyCopyEdits>;
  try {
    result = applyCopyEdits(files, input.request.edits);
  } catch (error) {
    if (!(error instanceof CopyEditError)) throw error;
    const seen = new Map(input.request.edits.map((edit) => [edit.id, edit.from]));
    const lines = error.problems.map(
      (problem) => `"${clip(seen.get(problem.id) ?? problem.id)}"${problem.where ? ` (${problem.where})` : ""}: ${problem.message}.`,
    );
    throw new AppError("bad_request", `Nothing was changed. ${lines.join(" ")}`);
  }

  const before = new Map(files.map((file) => [file.path, file.content]));
  const changed = result.files.filter((file) => before.get(file.path) !== file.content);
  const patch = changed.map((file) => createTwoFilesPatch(`a/${file.path}`, `b/${file.path}`, before.get(file.path) ?? "", file.content)).join("");
  if (patch) await applyPatchInSandbox(input.driver, input.sandbox, patch, input.signal, "Could not apply the text changes in the sandbox");

  const changes = result.applied.map(
    ({ copy, edit }): CopyChange => ({
      id: copy.id,
      path: copy.path,
      line: copy.line,
      kind: copy.kind,
      ...(copy.key !== undefined ? { key: copy.key } : {}),
      ...(copy.context.component !== undefined ? { component: copy.context.component } : {}),
      before: copy.text,
      after: edit.text,
      ...(input.request.translations?.[copy.id]?.length ? { translations: input.request.translations[copy.id] } : {}),
    }),
  );
  return { changes, files: changed.map((file) => file.path) };
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
