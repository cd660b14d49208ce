"use client";

import { EVERY_PAGE, type CatalogEntry, isOtherLanguage } from "@/lib/copy/catalog-entry";

/** One text and its editor: the same in the list and under a page picture. */
export function CopyEntryEditor({
  entry,
  draft,
  problem,
  outOfScope,
  onChange,
}: {
  entry: CatalogEntry;
  draft: string;
  problem: string | undefined;
  outOfScope: boolean;
  onChange: (text: string) => void;
}) {
  return (
    <li className={`copy-entry${draft !== entry.text ? " edited" : ""}`} data-testid="copy-entry">
      <textarea
        aria-label={`Text: ${entry.text}`}
        value={draft}
        dir="auto"
        lang={entry.locale}
        rows={Math.min(6, Math.max(1, Math.ceil(draft.length / 90)))}
        onChange={(event) => onChange(event.target.value)}
      />
      <div className="muted">
        {whereLabel(entry)}
        {outOfScope && (
          <>
            {" "}
            · <span className="badge failed">outside your paths</span>
          </>
        )}
        {draft !== entry.text && (
          <>
            {" "}
            ·{" "}
            <button type="button" className="link" onClick={() => onChange(entry.text)}>
              undo
            </button>
          </>
        )}
      </div>
      {(entry.context.before || entry.context.after) && (
        <div className="neighbours">
          {entry.context.before && <>Preceded by “{entry.context.before}” </>}
          {entry.context.after && <>Followed by “{entry.context.after}”</>}
        </div>
      )}
      {problem && (
        <div className="error" role="alert">
          {problem}
        </div>
      )}
    </li>
  );
}

/** Where a text is: its language when not the source, the pages it was seen on (or the code places it on), its file, its other languages. */
export function whereLabel(entry: CatalogEntry): string {
  const pages = entry.renderedPages?.length
    ? `seen on ${entry.renderedPages.join(", ")}`
    : entry.pages.includes(EVERY_PAGE)
      ? "every page"
      : entry.pages.length
        ? `on ${entry.pages.join(", ")}`
        : entry.context.component
          ? entry.context.component
          : "";
  const location = entry.key ? `${entry.path} · ${entry.key}` : `${entry.path}:${entry.line}`;
  // Shown only when asked for, among source texts that read alike: the language comes first.
  const language = isOtherLanguage(entry) ? (entry.locale ?? "") : "";
  // Saying the other languages exist tells the copywriter translations will follow an edit of the source.
  const translated = entry.translations?.length ? `also in ${entry.translations.join(", ")}` : "";
  return [language, pages, location, translated].filter(Boolean).join(" · ");
}

/** The page a text is first listed under when candidates are grouped by page. */
export function firstPage(entry: CatalogEntry): string {
  return entry.renderedPages?.[0] ?? entry.pages.find((page) => page !== EVERY_PAGE) ?? (entry.pages.includes(EVERY_PAGE) ? "every page" : "not on a page");
}
