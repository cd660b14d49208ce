// The files copy mode reads (see lib/copy/extract-strings.ts classifyCopyFile), from the clean mirror.
import { classifyCopyFile, type CopyFile } from "@/lib/copy/extract-strings";
import { readTreeFiles } from "@/worker/repos/read-tree";

/** `only`: just these paths (a copy task reads the files its edits are in, however large the repository). */
export function readCopyFiles(mirrorPath: string, commit: string, only?: readonly string[]): Promise<CopyFile[]> {
  const wanted = only ? new Set(only) : undefined;
  return readTreeFiles(mirrorPath, commit, (path) => classifyCopyFile(path) !== undefined && (wanted === undefined || wanted.has(path)));
}
