// The files copy mode reads (see lib/copy/extract-strings.ts classifyCopyFile), from the clean mirror, and
// for a catalog the tsconfig/jsconfig files whose import aliases place components on pages.
import { classifyCopyFile, type CopyFile } from "@/lib/copy/extract-strings";
import { isImportConfigFile } from "@/lib/copy/import-aliases";
import { readTreeFiles } from "@/worker/repos/read-tree";

/** `only`: just these paths (a copy task reads the files its edits are in, however large the repository). */
export function readCopyFiles(mirrorPath: string, commit: string, only?: readonly string[]): Promise<CopyFile[]> {
  const wanted = only ? new Set(only) : undefined;
  if (wanted) return readTreeFiles(mirrorPath, commit, (path) => wanted.has(path) && classifyCopyFile(path) !== undefined);
  return readTreeFiles(mirrorPath, commit, (path) => classifyCopyFile(path) !== undefined || isImportConfigFile(path));
}
