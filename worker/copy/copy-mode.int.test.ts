// Copy mode end to end without a model: the catalog is built by the worker from the bare mirror, a
// copywriter's edits run in a real sandbox with the repository's check, the diff is held against the
// role's paths, and the pages where the strings appear are screenshotted.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogEntry } from "@/lib/copy/catalog";
import { getCatalogView } from "@/lib/copy/catalog-queries";
import { listCopyEnvironments } from "@/lib/copy/copy-environments";
import { db } from "@/lib/db";
import { createDemoEnvironment, demoReposRoot } from "@/lib/demo/demo-environment";
import { createEnvironment } from "@/lib/environments/create-environment";
import { isAppError } from "@/lib/errors";
import { updateEnvironment } from "@/lib/environments/update-environment";
import { addFollowUp } from "@/lib/tasks/add-follow-up";
import { createTask } from "@/lib/tasks/create-task";
import { assertTimelineVisible, getTask, getTaskPatch } from "@/lib/tasks/task-queries";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";
import { createPreviewAppRepo, PREVIEW_APP_CONFIG } from "@/test/support/preview-app-repo";
import { waitForSandboxRemoved } from "@/test/support/sandbox";
import { containersOf, createUser, startTestWorker, waitForFinishedAttempt, type TestWorker } from "@/test/support/test-worker";
import { waitFor } from "@/test/support/wait-for";
import { createMirrorCache } from "@/worker/repos/mirror-cache";
import { buildCopyCatalog } from "./catalog-processor";

let worker: TestWorker;
let engineerId: string;
let copywriterId: string;
let strangerId: string;

async function createCopywriter() {
  const user = await createUser();
  await db().user.update({ where: { id: user.id }, data: { role: "copywriter" } });
  return user.id;
}

async function readyCatalog(environmentId: string, refresh = false): Promise<CatalogEntry[]> {
  if (refresh) await getCatalogView(copywriterId, environmentId, { refresh: true });
  const view = await waitFor(
    "the copy catalog",
    async () => {
      const current = await getCatalogView(copywriterId, environmentId);
      if (current.status === "failed") throw new Error(current.message);
      return current.status === "ready" && current.commit ? current : null;
    },
    60_000,
    200,
  );
  return view.entries;
}

function entry(entries: CatalogEntry[], text: string): CatalogEntry {
  const found = entries.find((candidate) => candidate.text === text);
  if (!found) throw new Error(`no catalog entry "${text}"`);
  return found;
}

async function copyEnvironment(repo: FixtureRepo, options: { preview?: boolean } = {}) {
  return createEnvironment(engineerId, {
    name: "Paperkite",
    repoUrl: repo.url,
    checkCommand: "node scripts/check.js",
    copyPaths: { copywriter: ["locales/**"] },
    ...(options.preview
      ? {
          preview: {
            installCommand: PREVIEW_APP_CONFIG.installCommand,
            startCommand: PREVIEW_APP_CONFIG.startCommand,
            port: PREVIEW_APP_CONFIG.port,
            readinessPath: PREVIEW_APP_CONFIG.readinessPath,
            routes: { mode: "fixed", paths: ["/"] },
            startTimeoutSec: 30,
          },
        }
      : {}),
  });
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string; details: unknown }> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return { code: error.code, message: error.userMessage, details: error.details };
}

beforeAll(async () => {
  // No model at all: copy mode must not need one.
  worker = startTestWorker(null);
  engineerId = (await createUser()).id;
  copywriterId = await createCopywriter();
  strangerId = (await createUser()).id;
});

afterAll(async () => {
  await worker?.close();
});

describe("copy mode", () => {
  it("builds the catalog from the mirror, once per commit, with the pages each string appears on", async () => {
    const repo = createPreviewAppRepo();
    const environment = await copyEnvironment(repo);
    const entries = await readyCatalog(environment.id);
    expect(entry(entries, "Simple, honest pricing")).toMatchObject({ path: "locales/en.json", key: "pricing.title", pages: ["/pricing"] });
    expect(entries.some((candidate) => candidate.path === "AGENTS.md")).toBe(false);

    const again = await buildCopyCatalog({ mirrors: worker.deps.mirrors, logger: worker.deps.logger }, environment.id);
    expect(again).toMatchObject({ commit: repo.baseCommit, cached: true });

    writeFileSync(path.join(repo.dir, "locales/en.json"), JSON.stringify({ pricing: { title: "Pricing, plainly" } }, null, 2));
    git(repo.dir, "commit", "-qam", "new title");
    const refreshed = await readyCatalog(environment.id, true);
    expect(refreshed.map((candidate) => candidate.text)).toContain("Pricing, plainly");
    expect(await db().copyCatalog.count({ where: { environmentId: environment.id } })).toBe(2);
  });

  it("applies a copywriter's edits with no model, runs the check, screenshots the string's page and shows the task to the environment's owner", async () => {
    const repo = createPreviewAppRepo();
    const environment = await copyEnvironment(repo, { preview: true });
    const entries = await readyCatalog(environment.id);
    const heading = entry(entries, "Simple, honest pricing");
    const button = entry(entries, "Sign up");
    const task = await createTask(copywriterId, {
      environmentId: environment.id,
      mode: "copy",
      edits: [
        { id: heading.id, from: heading.text, text: "Fair pricing for every team" },
        { id: button.id, from: button.text, text: "Create account" },
      ],
    });
    const attempt = await waitForFinishedAttempt(task.attemptId, 180_000);
    expect(attempt.error).toBeNull();
    expect(attempt.status).toBe("completed");
    expect(attempt.checkPassed).toBe(true);

    const patch = await getTaskPatch(engineerId, task.id);
    expect(patch).toContain('-    "title": "Simple, honest pricing",\n+    "title": "Fair pricing for every team",');
    expect(patch).toContain('-    "signUp": "Sign up",\n+    "signUp": "Create account",');
    expect(patch.match(/^diff --git/gm)).toHaveLength(1);

    const dto = await getTask(copywriterId, task.id);
    expect(dto.mode).toBe("copy");
    expect(dto.attempt?.copyChanges.map((change) => [change.before, change.after])).toEqual([
      ["Simple, honest pricing", "Fair pricing for every team"],
      ["Sign up", "Create account"],
    ]);
    expect(dto.attempt?.copyChanges[0]?.parts).toEqual([
      { type: "removed", text: "Simple, honest" },
      { type: "added", text: "Fair" },
      { type: "same", text: " pricing " },
      { type: "added", text: "for every team" },
    ]);
    // Screenshots of the page the strings appear on, not the environment's configured "/".
    const shots = dto.attempt?.screenshots;
    expect(shots?.routes).toEqual(["/pricing"]);
    expect(shots?.failures).toEqual([]);
    expect(shots?.shots.length).toBeGreaterThan(0);
    expect(shots?.shots.every((shot) => shot.route === "/pricing" && shot.status === "changed")).toBe(true);

    // The engineer who owns the environment reviews it; nobody else sees it.
    expect((await getTask(engineerId, task.id)).author).toBe(dto.author);
    expect((await rejection(getTask(strangerId, task.id))).code).toBe("not_found");
    // The copywriter gets words and pictures only, on the API too: no code diff, timeline or logs.
    expect((await rejection(getTaskPatch(copywriterId, task.id))).code).toBe("forbidden");
    expect((await rejection(assertTimelineVisible(copywriterId, task.id))).code).toBe("forbidden");
    await expect(assertTimelineVisible(engineerId, task.id)).resolves.toBeUndefined();
    expect(dto.attempt).toMatchObject({ setup: null, baseCommit: null, finalMessage: null });
    expect((await getTask(engineerId, task.id)).attempt?.baseCommit).toMatch(/^[0-9a-f]{40}$/);
  });

  it("rejects a diff outside the role's paths when it is accepted, naming the files, and keeps no patch", async () => {
    const repo = createPreviewAppRepo();
    const environment = await copyEnvironment(repo);
    const entries = await readyCatalog(environment.id);
    const about = entry(entries, "About Paperkite");
    const task = await createTask(copywriterId, { environmentId: environment.id, mode: "copy", edits: [{ id: about.id, from: about.text, text: "About us" }] });
    const attempt = await waitForFinishedAttempt(task.attemptId);
    expect(attempt.status).toBe("failed");
    expect(attempt.error).toBe(
      "The change was rejected because it touches files outside your paths: content/about.md. Your role (copywriter) may change only: locales/**. Ask an engineer to make this change.",
    );
    expect(attempt.patch).toBeNull();
    expect(await getTaskPatch(engineerId, task.id)).toBe("");

    // The environment's owner (an engineer, no list for the role) may make the same change.
    const engineerTask = await createTask(engineerId, {
      environmentId: environment.id,
      mode: "copy",
      edits: [{ id: about.id, from: about.text, text: "About us" }],
    });
    const engineerAttempt = await waitForFinishedAttempt(engineerTask.attemptId);
    expect(engineerAttempt.status).toBe("completed");
    expect(engineerAttempt.patch).toContain("+# About us");
  });

  it("stops the pictures it started early when the change is refused, and leaves no sandbox", async () => {
    const repo = createPreviewAppRepo();
    const environment = await copyEnvironment(repo, { preview: true });
    const entries = await readyCatalog(environment.id);
    const about = entry(entries, "About Paperkite");
    const task = await createTask(copywriterId, { environmentId: environment.id, mode: "copy", edits: [{ id: about.id, from: about.text, text: "About us" }] });
    const attempt = await waitForFinishedAttempt(task.attemptId);
    expect(attempt.status).toBe("failed");
    expect(attempt.error).toMatch(/^The change was rejected because it touches files outside your paths: content\/about\.md\./);
    expect(attempt.previewReport).toBeNull();
    await waitForSandboxRemoved(task.attemptId);
    expect(await containersOf(task.attemptId)).toEqual([]);
  });

  it("refuses bad edits at submit with one problem per text, creating nothing", async () => {
    const repo = createPreviewAppRepo();
    const environment = await copyEnvironment(repo);
    const entries = await readyCatalog(environment.id);
    const title = entry(entries, "Simple, honest pricing");
    const plural = entry(entries, "{{count}} projects");
    const before = await db().task.count();
    const submit = (edits: { id: string; from: string; text: string }[]) =>
      rejection(createTask(copywriterId, { environmentId: environment.id, mode: "copy", edits }));

    const problems = await submit([
      { id: "0000000000000000", from: "Gone", text: "x" },
      { id: title.id, from: title.text, text: "   " },
      { id: plural.id, from: plural.text, text: "many projects" },
    ]);
    expect(problems.code).toBe("bad_request");
    expect(problems.details).toEqual({
      problems: [
        { id: "0000000000000000", text: "Gone", message: "This text no longer exists at the head commit; reload the list" },
        { id: title.id, text: title.text, message: "Text is required here" },
        { id: plural.id, text: plural.text, message: "Keep the placeholders {{count}}" },
      ],
    });
    expect(
      (
        await submit([
          { id: title.id, from: title.text, text: "A" },
          { id: title.id, from: title.text, text: "B" },
        ])
      ).details,
    ).toEqual({
      problems: [{ id: title.id, text: title.text, message: "This text was edited twice" }],
    });
    expect((await submit([{ id: title.id, from: "Old wording", text: "New" }])).message).toContain(
      'was changed to "Simple, honest pricing" since you opened it',
    );
    await expect(createTask(copywriterId, { environmentId: environment.id, mode: "copy", edits: [] })).rejects.toThrow(
      "Change at least one text before proposing.",
    );
    // Copywriters propose text changes only.
    expect((await rejection(createTask(copywriterId, { environmentId: environment.id, prompt: "Refactor everything" }))).code).toBe("forbidden");
    expect(await db().task.count()).toBe(before);
  });

  it("turns an unambiguous request sentence into edits and answers an ambiguous one with candidates", async () => {
    const repo = createPreviewAppRepo();
    const environment = await copyEnvironment(repo);
    await readyCatalog(environment.id);
    const ambiguous = await rejection(createTask(copywriterId, { environmentId: environment.id, mode: "copy", request: 'change "teams" to "crews"' }));
    expect(ambiguous.code).toBe("conflict");
    const candidates = (ambiguous.details as { candidates: { text: string }[] }).candidates.map((candidate) => candidate.text);
    expect(candidates.sort()).toEqual([
      "For organisations with many teams.",
      "For small teams shipping every week.",
      expect.stringMatching(/^Today Paperkite helps small teams/),
    ]);

    const task = await createTask(copywriterId, {
      environmentId: environment.id,
      mode: "copy",
      request: 'change "Sign up" to "Create account" on the pricing page',
    });
    const attempt = await waitForFinishedAttempt(task.attemptId);
    expect(attempt.status).toBe("completed");
    expect(attempt.patch).toContain('+    "signUp": "Create account",');
  });

  it("fails with a clear message when the text changed at the head commit after the list was built", async () => {
    const repo = createPreviewAppRepo();
    const environment = await copyEnvironment(repo);
    const entries = await readyCatalog(environment.id);
    const title = entry(entries, "Simple, honest pricing");
    writeFileSync(path.join(repo.dir, "locales/en.json"), JSON.stringify({ pricing: { title: "Renamed meanwhile" } }, null, 2));
    git(repo.dir, "commit", "-qam", "someone else edited the title");
    const task = await createTask(copywriterId, { environmentId: environment.id, mode: "copy", edits: [{ id: title.id, from: title.text, text: "Mine" }] });
    const attempt = await waitForFinishedAttempt(task.attemptId);
    expect(attempt.status).toBe("failed");
    expect(attempt.error).toBe(
      'Nothing was changed. "Simple, honest pricing" (locales/en.json:3): This text was changed to "Renamed meanwhile" since you opened it.',
    );
    expect(attempt.patch).toBeNull();
  });

  it("offers the demo site: a repository Patchbay creates, allowed without PATCHBAY_ALLOW_LOCAL_REPOS and open to copywriters", async () => {
    const demo = await createDemoEnvironment(engineerId);
    expect(await createDemoEnvironment(engineerId)).toEqual({ id: demo.id, created: false });
    const mirrorRoot = (name: string) => path.join(mkdtempSync(path.join(tmpdir(), "patchbay-mirrors-")), name);
    const allowed = createMirrorCache({ root: mirrorRoot("demo"), timeoutMs: 30_000, allowLocal: false, localRoots: [demoReposRoot()] });
    expect((await buildCopyCatalog({ mirrors: allowed, logger: worker.deps.logger }, demo.id)).entries).toBeGreaterThan(20);
    const strict = createMirrorCache({ root: mirrorRoot("strict"), timeoutMs: 30_000, allowLocal: false });
    await expect(buildCopyCatalog({ mirrors: strict, logger: worker.deps.logger }, demo.id)).rejects.toThrow(/PATCHBAY_ALLOW_LOCAL_REPOS/);

    const { environments } = await listCopyEnvironments(copywriterId);
    expect(environments.find((environment) => environment.id === demo.id)?.allowedPaths).toEqual(["locales/**", "src/pages/**", "src/components/**"]);
    expect((await rejection(createDemoEnvironment(copywriterId))).code).toBe("forbidden");
  });

  it("rebuilds a catalog made by an older extractor, keeps other roles' paths when one role's list is saved, and stops demoted engineers from running the agent", async () => {
    const repo = createPreviewAppRepo();
    const environment = await copyEnvironment(repo);
    await readyCatalog(environment.id);
    await db().copyCatalog.updateMany({ where: { environmentId: environment.id }, data: { version: 0, entries: [] } });
    const rebuilt = await buildCopyCatalog({ mirrors: worker.deps.mirrors, logger: worker.deps.logger }, environment.id);
    expect(rebuilt).toMatchObject({ cached: false, commit: repo.baseCommit });
    expect(rebuilt.entries).toBeGreaterThan(20);

    await updateEnvironment(engineerId, environment.id, { copyPaths: { engineer: ["src/**"] } });
    const saved = await updateEnvironment(engineerId, environment.id, { copyPaths: { copywriter: ["locales/**", "content/**"] } });
    expect(saved.copyPaths).toEqual({ copywriter: ["locales/**", "content/**"], engineer: ["src/**"] });
    expect((await rejection(updateEnvironment(copywriterId, environment.id, { copyPaths: { copywriter: ["**"] } }))).code).toBe("forbidden");

    const demoted = (await createUser()).id;
    const own = await createEnvironment(demoted, { name: "own", repoUrl: createFixtureRepo().url });
    const task = await createTask(demoted, { environmentId: own.id, prompt: "Tidy up" });
    await waitForFinishedAttempt(task.attemptId);
    await db().user.update({ where: { id: demoted }, data: { role: "copywriter" } });
    expect((await rejection(addFollowUp(demoted, task.id, { text: "and now rewrite everything" }))).code).toBe("forbidden");
  });

  it("changes the code default an edited locale message overrides, where the person's role may change code", async () => {
    const repo = createFixtureRepo({
      "locales/en.json": `${JSON.stringify({ cart: { empty: "Your cart is empty" } }, null, 2)}\n`,
      "src/pages/cart.tsx":
        'import { useTranslation } from "react-i18next";\nexport default function Cart() {\n  const { t } = useTranslation();\n  return <p>{t("cart.empty", "Your cart is empty")}</p>;\n}\n',
      "scripts/check.js": "process.exit(0);\n",
    });
    const environment = await copyEnvironment(repo);
    const message = entry(await readyCatalog(environment.id), "Your cart is empty");
    expect(message).toMatchObject({ path: "locales/en.json", linked: [{ path: "src/pages/cart.tsx", text: "Your cart is empty" }] });
    const edit = { id: message.id, from: message.text, text: "Nothing here yet" };

    // An engineer may change code: the default follows, so an extract from the code cannot bring the old text back.
    const byEngineer = await createTask(engineerId, { environmentId: environment.id, mode: "copy", edits: [edit] });
    expect((await waitForFinishedAttempt(byEngineer.attemptId, 180_000)).status).toBe("completed");
    const both = await getTaskPatch(engineerId, byEngineer.id);
    expect(both).toContain('+    "empty": "Nothing here yet"');
    expect(both).toContain('+  return <p>{t("cart.empty", "Nothing here yet")}</p>;');

    // A copywriter whose paths are locales/** changes the message only: the edit they made is not refused.
    const byCopywriter = await createTask(copywriterId, { environmentId: environment.id, mode: "copy", edits: [edit] });
    const attempt = await waitForFinishedAttempt(byCopywriter.attemptId, 180_000);
    expect(attempt.error).toBeNull();
    const only = await getTaskPatch(engineerId, byCopywriter.id);
    expect(only).toContain('+    "empty": "Nothing here yet"');
    expect(only).not.toContain("src/pages/cart.tsx");
  });

  it("explains a repository without any recognisable text", async () => {
    // A library: plain JavaScript, a root README and tests, none of it product copy.
    const repo = createFixtureRepo();
    const environment = await copyEnvironment(repo);
    expect(await readyCatalog(environment.id)).toEqual([]);
  });
});
