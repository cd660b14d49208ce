// The files copy mode reads (see lib/copy/extract-strings.ts classifyCopyFile), from the clean mirror, and
// for a catalog the tsconfig/jsconfig files whose import aliases place components on pages and the i18n
// configs that name the source language (lib/copy/i18n-config.ts), next.config.cjs or .linguirc among them.
import { classifyCopyFile, type CopyFile, unpublishedDocs } from "@/lib/copy/extract-strings";
import { isI18nConfigFile } from "@/lib/copy/i18n-config";
import { isImportConfigFile } from "@/lib/copy/import-aliases";
import { DEFAULT_READ_LIMITS, type ReadTreeLimits, readTreeFiles } from "@/worker/repos/read-tree";

// A component over 512 KiB is generated, not written by people; a product's source-language catalog (one
// JSON or .po file with every message) is often larger, and skipping it would make a translation the source.
const LOCALE_FILE_BYTES = 8 * 1024 * 1024;
const LIMITS: ReadTreeLimits = {
  ...DEFAULT_READ_LIMITS,
  maxFileBytesFor: (path) => (isLocaleCatalog(path) ? LOCALE_FILE_BYTES : DEFAULT_READ_LIMITS.maxFileBytes),
};

function isLocaleCatalog(path: string): boolean {
  const type = classifyCopyFile(path);
  return type === "json" || type === "yaml" || type === "po";
}

/** `only`: just these paths (a copy task reads the files its edits are in, however large the repository). */
export function readCopyFiles(mirrorPath: string, commit: string, only?: readonly string[]): Promise<CopyFile[]> {
  const wanted = only ? new Set(only) : undefined;
  if (wanted) return readTreeFiles(mirrorPath, commit, () => (path) => wanted.has(path) && classifyCopyFile(path) !== undefined, LIMITS);
  return readTreeFiles(
    mirrorPath,
    commit,
    (paths) => {
      // Whether a docs/ folder is a site's or the developers' notes depends on the other paths (a docusaurus.config.js).
      const unpublished = unpublishedDocs(paths);
      return (path) => (classifyCopyFile(path) !== undefined && !unpublished(path)) || isImportConfigFile(path) || isI18nConfigFile(path);
    },
    LIMITS,
  );
}
