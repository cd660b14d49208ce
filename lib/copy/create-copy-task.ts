// Submitting a copy change: check the edits against the newest catalog (so most mistakes are refused
// before anything is created), then a Task (mode copy) with one Turn holding the request and one
// Attempt, queued like any other. The worker checks everything again at the branch head.
import { AppError } from "@/lib/errors";
import { appendEvent } from "@/lib/timeline/append-event";
import { enqueueAll } from "@/lib/tasks/enqueue-attempts";
import { createWithinUserLimits } from "@/lib/tasks/user-limits";
import { type CatalogEntry, isOtherLanguage, withLinkedEdits } from "./catalog-entry";
import { latestCatalog } from "./catalog-queries";
import { editProblem } from "./edit-problem";
import { createCopyTaskSchema, type CopyEditInput, type CopyRequest } from "./copy-request";
import { getCopyEnvironment } from "./copy-environments";
import { findByRequest } from "./find-by-request";
import { isStaticRoute, renderedPagesOf } from "./page-map";
import { filesOutOfScope } from "./path-scope";
import { latestPictures } from "./page-pictures";

const MAX_SCREENSHOT_ROUTES = 6;

export type CopyEditProblem = { id: string; text: string; message: string };

export async function createCopyTask(userId: string, input: unknown): Promise<{ id: string; attemptId: string; attemptIds: string[] }> {
  const data = createCopyTaskSchema.parse(input);
  const environment = await getCopyEnvironment(userId, data.environmentId);
  const catalog = await latestCatalog(environment.id);
  if (!catalog)
    throw new AppError("conflict", "The list of texts for this environment is still being built; open Copy and try again in a moment.", { retryable: true });
  // Where the page pictures of this commit saw each text: for "on the pricing page" and for the screenshots.
  const pictures = await latestPictures(environment.id);
  const rendered = pictures.map?.commit === catalog.commit ? renderedPagesOf(pictures.map) : new Map<string, string[]>();
  const entries = new Map(
    (catalog.entries as CatalogEntry[]).map((entry) => [entry.id, rendered.has(entry.id) ? { ...entry, renderedPages: rendered.get(entry.id) } : entry]),
  );
  // A sentence means the words the person reads: the source language, as the Copy page lists by default.
  const edits =
    data.edits ??
    editsFromRequest(
      [...entries.values()].filter((entry) => !isOtherLanguage(entry)),
      data.request ?? "",
    );

  const problems = editProblems(edits, entries);
  if (problems.length > 0) {
    const summary = problems.map((problem) => `"${clip(problem.text)}": ${problem.message}.`).join(" ");
    throw new AppError("bad_request", `Nothing was proposed. ${summary}`, { details: { problems } });
  }

  const changed = edits.flatMap((edit) => {
    const entry = entries.get(edit.id);
    return entry ? [{ edit, entry }] : [];
  });
  // The pages the pictures saw each text on, then those the code places it on.
  // Dynamic routes (`/users/:id`) need data to open: the environment's configured routes stand in for them.
  const routes = [...new Set(changed.flatMap(({ entry }) => [...(entry.renderedPages ?? []), ...entry.pages]))]
    .filter(isStaticRoute)
    .sort()
    .slice(0, MAX_SCREENSHOT_ROUTES);
  const translations = Object.fromEntries(changed.flatMap(({ entry }) => (entry.translations?.length ? [[entry.id, entry.translations]] : [])));
  // A code default the edited entry overrides changes with it (CatalogEntry.linked), where the person's role
  // may change that file; the worker checks these edits like the others.
  const mayChange = (path: string) => filesOutOfScope([path], environment.allowedPaths).length === 0;
  const linkedPaths = changed.flatMap(({ entry }) => (entry.linked ?? []).map((link) => link.path)).filter(mayChange);
  const paths = [...new Set([...changed.map(({ entry }) => entry.path), ...linkedPaths])].sort();
  const request: CopyRequest = { edits: withLinkedEdits(edits, entries, mayChange), routes, paths, translations };
  const prompt = changed.map(({ edit, entry }) => `Change "${entry.text}" to "${edit.text}" (${entry.path}:${entry.line})`).join("\n");
  const [first] = changed;
  const title = first
    ? clip(`Copy: "${first.entry.text}" → "${first.edit.text}"${changed.length > 1 ? ` and ${changed.length - 1} more` : ""}`, 80)
    : "Copy change";

  const created = await createWithinUserLimits(userId, 1, (tx) =>
    tx.task.create({
      data: {
        ownerId: userId,
        environmentId: environment.id,
        prompt,
        mode: "copy",
        branch: environment.defaultBranch,
        title,
        turns: { create: { index: 0, prompt, copyRequest: request, attempts: { create: [{ index: 0 }] } } },
      },
      select: { id: true, turns: { select: { attempts: { select: { id: true } } } } },
    }),
  );
  const attemptId = created.turns[0]?.attempts[0]?.id;
  if (!attemptId) throw new AppError("internal", "Task was created without an attempt.");
  await appendEvent({ attemptId, taskId: created.id }, { type: "turn", payload: { index: 0, prompt } });
  await enqueueAll(created.id, [attemptId]);
  return { id: created.id, attemptId, attemptIds: [attemptId] };
}

/** The request path: an unambiguous sentence becomes one edit; otherwise the candidates go back to choose from. */
function editsFromRequest(entries: CatalogEntry[], sentence: string): CopyEditInput[] {
  const found = findByRequest(entries, sentence);
  if (found.kind === "not-found") throw new AppError("bad_request", found.message);
  if (found.kind === "ambiguous") {
    const candidates = found.candidates
      .slice(0, 20)
      .map((copy) => ({ id: copy.id, text: copy.text, path: copy.path, line: copy.line, pages: (copy as CatalogEntry).pages ?? [] }));
    throw new AppError("conflict", `More than one text matches; pick one (${candidates.length} candidate(s)) and send it as an edit.`, {
      details: { candidates },
    });
  }
  return found.edits.map((edit) => ({ id: edit.id, from: entries.find((entry) => entry.id === edit.id)?.text ?? "", text: edit.text }));
}

/** Problems the catalog can reveal up front; syntax is checked by the worker on the real files. */
export function editProblems(edits: readonly CopyEditInput[], entries: ReadonlyMap<string, CatalogEntry>): CopyEditProblem[] {
  const counts = new Map<string, number>();
  for (const edit of edits) counts.set(edit.id, (counts.get(edit.id) ?? 0) + 1);
  const problems: CopyEditProblem[] = [];
  const reported = new Set<string>();
  for (const edit of edits) {
    const entry = entries.get(edit.id);
    const message = problemOf(edit, entry, counts.get(edit.id) ?? 0);
    if (message && !reported.has(edit.id)) {
      reported.add(edit.id);
      problems.push({ id: edit.id, text: entry?.text ?? edit.from, message });
    }
  }
  return problems;
}

function problemOf(edit: CopyEditInput, entry: CatalogEntry | undefined, count: number): string | undefined {
  const problem = editProblem(edit, entry, count);
  // Both mean the list on the page is out of date.
  if (problem && (!entry || (count === 1 && entry.text !== edit.from))) return `${problem}; reload the list`;
  if (problem) return problem;
  if (entry && edit.text === entry.text) return "This text is unchanged";
  return undefined;
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
