// The files copy mode reads (see lib/copy/extract-strings.ts classifyCopyFile), from the clean mirror, and
// for a catalog the tsconfig/jsconfig files whose import aliases place components on pages and the i18n
// configs that name the source language (lib/copy/i18n-config.ts), next.config.cjs or .linguirc among them.
import { classifyCopyFile, type CopyFile } from "@/lib/copy/extract-strings";
import { isI18nConfigFile } from "@/lib/copy/i18n-config";
import { isImportConfigFile } from "@/lib/copy/import-aliases";
import { readTreeFiles } from "@/worker/repos/read-tree";

/** `only`: just these paths (a copy task reads the files its edits are in, however large the repository). */
export function readCopyFiles(mirrorPath: string, commit: string, only?: readonly string[]): Promise<CopyFile[]> {
  const wanted = only ? new Set(only) : undefined;
  if (wanted) return readTreeFiles(mirrorPath, commit, (path) => wanted.has(path) && classifyCopyFile(path) !== undefined);
  return readTreeFiles(mirrorPath, commit, (path) => classifyCopyFile(path) !== undefined || isImportConfigFile(path) || isI18nConfigFile(path));
}
