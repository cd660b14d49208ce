// The files copy mode reads (see lib/copy/extract-strings.ts classifyCopyFile), from the clean mirror.
import { classifyCopyFile, type CopyFile } from "@/lib/copy/extract-strings";
import { readTreeFiles } from "@/worker/repos/read-tree";

export function readCopyFiles(mirrorPath: string, commit: string): Promise<CopyFile[]> {
  return readTreeFiles(mirrorPath, commit, (path) => classifyCopyFile(path) !== undefined);
}
