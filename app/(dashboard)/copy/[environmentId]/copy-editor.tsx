"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { EVERY_PAGE, type CatalogEntry, isOtherLanguage } from "@/lib/copy/catalog-entry";
import type { CatalogView } from "@/lib/copy/catalog-queries";
import { findByRequest, parseCopyRequest } from "@/lib/copy/find-by-request";
import { CopyEntryEditor, firstPage, whereLabel } from "./copy-entry-editor";
import { PagePictures } from "./page-pictures";

const VISIBLE_LIMIT = 200;
const NOT_ON_A_PAGE = "";

type Problem = { id: string; message: string };
type Finding = { kind: "message"; text: string } | { kind: "candidates"; to: string; candidates: CatalogEntry[] };

/** The copywriter's workspace: search and filter the catalog, edit texts inline or by a sentence, propose. */
export function CopyEditor({ environmentId }: { environmentId: string }) {
  const router = useRouter();
  const [view, setView] = useState<CatalogView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [page, setPage] = useState<string | null>(null);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [request, setRequest] = useState("");
  const [finding, setFinding] = useState<Finding | null>(null);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [submitting, setSubmitting] = useState(false);
  /** The texts under the outline last clicked on a page picture, the one being edited first. */
  const [picked, setPicked] = useState<string[]>([]);
  const [takingPictures, setTakingPictures] = useState(false);
  /** Off: the source language only (and every text outside locale files), as copywriters usually want. */
  const [otherLanguages, setOtherLanguages] = useState(false);

  const load = useCallback(
    async (refresh: boolean) => {
      try {
        const response = await fetch(`/api/v1/environments/${environmentId}/copy${refresh ? "?refresh=1" : ""}`, { cache: "no-store" });
        const body = await response.json();
        if (!response.ok) throw new Error(body?.error?.message ?? `The texts could not be loaded (HTTP ${response.status}).`);
        setView(body as CatalogView);
        setLoadError(null);
      } catch (error) {
        setLoadError((error as Error).message);
      }
    },
    [environmentId],
  );

  useEffect(() => {
    void load(false);
  }, [load]);

  // While the worker reads the repository or pictures the pages, ask again every second or two.
  useEffect(() => {
    if (view?.status !== "building" && view?.pictures?.status !== "taking") return;
    const timer = setTimeout(() => void load(false), view.status === "building" ? 1000 : 2000);
    return () => clearTimeout(timer);
  }, [view, load]);

  const all = useMemo(() => view?.entries ?? [], [view]);
  // Drafts and proposals go by id over every language: hiding the other languages keeps their edits.
  const byId = useMemo(() => new Map(all.map((entry) => [entry.id, entry])), [all]);
  const entries = useMemo(() => (otherLanguages ? all : all.filter((entry) => !isOtherLanguage(entry))), [all, otherLanguages]);
  const otherLocales = useMemo(() => [...new Set(all.flatMap((entry) => (isOtherLanguage(entry) && entry.locale ? [entry.locale] : [])))].sort(), [all]);
  const outOfScope = useMemo(() => new Set(view?.outOfScopeFiles ?? []), [view]);
  const pages = useMemo(
    () => [...new Set(entries.flatMap((entry) => [...entry.pages, ...(entry.renderedPages ?? [])]))].filter((candidate) => candidate !== EVERY_PAGE).sort(),
    [entries],
  );
  const pickedEntries = picked.flatMap((id) => {
    const entry = byId.get(id);
    return entry && (otherLanguages || !isOtherLanguage(entry)) ? [entry] : [];
  });
  const edits = Object.entries(drafts).filter(([id, text]) => byId.get(id) && byId.get(id)?.text !== text);

  const visible = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return entries.filter((entry) => {
      if (page !== null) {
        const on = [...entry.pages, ...(entry.renderedPages ?? [])];
        if (page === NOT_ON_A_PAGE ? on.length > 0 : !on.includes(page) && !on.includes(EVERY_PAGE)) return false;
      }
      if (!needle) return true;
      return [entry.text, drafts[entry.id] ?? "", entry.key ?? "", entry.context.component ?? "", entry.path].some((hay) => hay.toLowerCase().includes(needle));
    });
  }, [entries, page, query, drafts]);

  function setDraft(id: string, text: string) {
    setDrafts((current) => ({ ...current, [id]: text }));
    setProblems((current) => current.filter((problem) => problem.id !== id));
  }

  function discard() {
    setDrafts({});
    setProblems([]);
    setSubmitError(null);
  }

  function find() {
    const result = findByRequest(entries, request);
    if (result.kind === "not-found") return setFinding({ kind: "message", text: result.message });
    if (result.kind === "ambiguous") {
      const to = parseCopyRequest(request)?.to ?? "";
      return setFinding({ kind: "candidates", to, candidates: result.candidates.slice(0, 20) as CatalogEntry[] });
    }
    for (const edit of result.edits) setDraft(edit.id, edit.text);
    const [first] = result.edits;
    const entry = first ? byId.get(first.id) : undefined;
    setFinding({ kind: "message", text: entry ? `Ready: "${entry.text}" → "${first?.text}". Review it below, then propose.` : "Ready." });
    if (entry) {
      setQuery(entry.text);
      setPage(null);
    }
  }

  async function takePictures() {
    setTakingPictures(true);
    try {
      const response = await fetch(`/api/v1/environments/${environmentId}/copy/pictures`, { method: "POST" });
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        setLoadError(body?.error?.message ?? `The pictures could not be started (HTTP ${response.status}).`);
      }
      await load(false);
    } finally {
      setTakingPictures(false);
    }
  }

  async function propose() {
    setSubmitting(true);
    setSubmitError(null);
    setProblems([]);
    try {
      const body = { environmentId, mode: "copy", edits: edits.map(([id, text]) => ({ id, from: byId.get(id)?.text ?? "", text })) };
      const response = await fetch("/api/v1/tasks", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const result = await response.json();
      if (!response.ok) {
        setSubmitError(result?.error?.message ?? `The change could not be proposed (HTTP ${response.status}).`);
        setProblems((result?.error?.details?.problems as Problem[] | undefined) ?? []);
        return;
      }
      router.push(`/tasks/${result.id}`);
    } catch {
      setSubmitError("Patchbay could not be reached. Your edits are still here; try again.");
    } finally {
      setSubmitting(false);
    }
  }

  /** The same editor in the list and under a picture: edits and problems are per text, wherever it is shown. */
  function editorFor(entry: CatalogEntry) {
    return (
      <CopyEntryEditor
        key={entry.id}
        entry={entry}
        draft={drafts[entry.id] ?? entry.text}
        problem={problems.find((candidate) => candidate.id === entry.id)?.message}
        outOfScope={outOfScope.has(entry.path)}
        onChange={(text) => setDraft(entry.id, text)}
      />
    );
  }

  if (loadError && !view)
    return (
      <div className="error" role="alert">
        {loadError}
      </div>
    );
  if (!view) return <p className="muted">Loading texts…</p>;

  return (
    <div data-testid="copy-editor">
      <div className="panel">
        <div className="copy-toolbar">
          <label>
            Search texts
            <input type="search" value={query} onChange={(event) => setQuery(event.target.value)} placeholder="e.g. Sign up" />
          </label>
          <div>
            <label htmlFor="copy-page-filter">Page</label>
            <select id="copy-page-filter" value={page ?? "all"} onChange={(event) => setPage(event.target.value === "all" ? null : event.target.value)}>
              <option value="all">All pages</option>
              {pages.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {candidate}
                </option>
              ))}
              <option value={NOT_ON_A_PAGE}>Not on a specific page</option>
            </select>
          </div>
          <button type="button" className="secondary" onClick={() => void load(true)} disabled={view.status === "building"}>
            Reload texts
          </button>
        </div>
        <p className="muted" data-testid="catalog-status">
          {view.status === "building" && `${view.message ?? "Reading the latest texts from the repository…"} `}
          {view.commit ? `${entries.length} texts as of commit ${view.commit.slice(0, 12)}.` : view.status === "building" ? "" : "No texts yet."}
        </p>
        {(view.sourceLocale || otherLocales.length > 0) && (
          <div className="copy-toolbar" data-testid="copy-languages">
            {view.sourceLocale && (
              <p className="muted" data-testid="source-locale">
                Source language: {view.sourceLocale.locale} ({view.sourceLocale.reason})
              </p>
            )}
            {otherLocales.length > 0 && (
              <label className="check">
                <input type="checkbox" checked={otherLanguages} onChange={(event) => setOtherLanguages(event.target.checked)} />
                Show other languages <span className="muted">({otherLocales.join(", ")})</span>
              </label>
            )}
          </div>
        )}
        {view.status === "failed" && (
          <div className="error" role="alert">
            {view.message}{" "}
            <button type="button" onClick={() => void load(true)}>
              Try again
            </button>
          </div>
        )}
        <div className="copy-toolbar">
          <label style={{ flex: 1 }}>
            Describe a change
            <input
              value={request}
              onChange={(event) => setRequest(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === "Enter") {
                  event.preventDefault();
                  find();
                }
              }}
              placeholder='change "Sign up" to "Create account" on the pricing page'
            />
          </label>
          <button type="button" className="secondary" onClick={find} disabled={!request.trim() || entries.length === 0}>
            Find
          </button>
        </div>
        {finding?.kind === "message" && <p data-testid="request-result">{finding.text}</p>}
        {finding?.kind === "candidates" && (
          <div data-testid="request-candidates">
            <p>More than one text matches. Pick the one you mean:</p>
            <ul>
              {[...finding.candidates]
                .sort((a, b) => firstPage(a).localeCompare(firstPage(b)))
                .map((candidate, index, sorted) => (
                  <li key={candidate.id}>
                    {(index === 0 || firstPage(sorted[index - 1] as CatalogEntry) !== firstPage(candidate)) && (
                      <strong className="candidate-page">{firstPage(candidate)}: </strong>
                    )}
                    “{candidate.text}” <span className="muted">{whereLabel(candidate)}</span>{" "}
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => {
                        setDraft(candidate.id, finding.to);
                        setQuery(candidate.text);
                        setFinding({ kind: "message", text: `Ready: "${candidate.text}" → "${finding.to}". Review it below, then propose.` });
                      }}
                    >
                      Use this
                    </button>
                  </li>
                ))}
            </ul>
          </div>
        )}
      </div>

      {view.status !== "building" && view.commit && all.length === 0 && (
        <div className="panel" data-testid="catalog-empty">
          No texts were found in this repository. Copy mode reads text in React components (JSX/TSX), locale files (for example locales/en.json or
          locales/en.yml) and Markdown/MDX content.
        </div>
      )}

      {view.pictures && (
        <PagePictures
          pictures={view.pictures}
          catalogCommit={view.commit}
          byId={byId}
          onPick={setPicked}
          onTake={() => void takePictures()}
          taking={takingPictures}
        />
      )}
      {pickedEntries.length > 0 && (
        <div className="panel" data-testid="picked-texts">
          <p className="muted">
            {pickedEntries.length === 1 ? "The text you clicked:" : `The text you clicked, and ${pickedEntries.length - 1} other text(s) that read the same:`}
          </p>
          <ul className="copy-list">{pickedEntries.map(editorFor)}</ul>
        </div>
      )}

      <ul className="copy-list" data-testid="copy-list">
        {visible.slice(0, VISIBLE_LIMIT).map(editorFor)}
      </ul>
      {visible.length > VISIBLE_LIMIT && (
        <p className="muted">
          Showing {VISIBLE_LIMIT} of {visible.length} texts; search to narrow the list.
        </p>
      )}

      <div className="copy-actions">
        <button type="button" onClick={() => void propose()} disabled={edits.length === 0 || submitting}>
          {submitting ? "Proposing…" : "Propose change"}
        </button>
        <span data-testid="edit-count">{edits.length === 1 ? "1 text changed" : `${edits.length} texts changed`}</span>
        {edits.length > 0 && (
          <button type="button" className="secondary" onClick={discard}>
            Discard all
          </button>
        )}
      </div>
      {submitError && (
        <div className="error" role="alert" data-testid="propose-error">
          {submitError}
        </div>
      )}
    </div>
  );
}
