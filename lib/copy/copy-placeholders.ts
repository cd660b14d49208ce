import type { CopyKind } from "./extract-strings";

// {{count}} (i18next, Handlebars), {name} (ICU, Rails-i18n-js), ${name}, %{name} (Rails), %s / %1$d (printf).
const PLACEHOLDER = /\{\{\s*[\w.$-]+\s*\}\}|\$\{[\w.$-]+\}|%\{[\w.-]+\}|\{[\w.$-]+\}|%(?:\d+\$)?[sdifo@]/g;

export function placeholdersIn(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) found.add(match[0].replace(/\s+/g, ""));
  return [...found].sort();
}

/**
 * A user-facing problem when `after` drops placeholders, or (in i18n strings, where the runtime interpolates)
 * invents new ones; elsewhere braces in new text are escaped and render literally.
 */
export function placeholderProblem(kind: CopyKind, before: string, after: string): string | undefined {
  const original = placeholdersIn(before);
  const edited = new Set(placeholdersIn(after));
  const missing = original.filter((placeholder) => !edited.has(placeholder));
  if (missing.length > 0) return `Keep the placeholders ${original.join(", ")}`;
  const originalSet = new Set(original);
  const extra = [...edited].filter((placeholder) => !originalSet.has(placeholder));
  if (kind === "i18n" && extra.length > 0) return `Remove ${extra.join(", ")}: only these placeholders have a value here: ${original.join(", ") || "none"}`;
  return undefined;
}
