// A hostile repository runs nothing on the worker host (docs/security.md §7): payloads planted through
// core.fsmonitor, core.hooksPath hooks, a filter driver named by .gitattributes, an ext:: submodule and
// upload-pack settings stay inert while the mirror cache clones, fetches and resolves branches.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors";
import { runGit } from "@/worker/repos/git";
import { createMirrorCache } from "@/worker/repos/mirror-cache";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";

const markerDir = mkdtempSync(path.join(tmpdir(), "patchbay-git-markers-"));
const marker = (name: string) => path.join(markerDir, name);
const payloads = ["fsmonitor", "hook", "smudge", "clean", "textconv", "ext-submodule", "pack-objects-hook", "ssh-command", "alternate-refs"] as const;
let repo: FixtureRepo;

function markers(): string[] {
  return readdirSync(markerDir).sort();
}

function clearMarkers(): void {
  for (const name of readdirSync(markerDir)) rmSync(marker(name));
}

beforeAll(() => {
  repo = createFixtureRepo({
    "README.md": "# Hostile fixture\n",
    // Every file goes through the `x` filter on checkout/add, and diffs through the `x` driver.
    ".gitattributes": "* filter=x diff=x\n",
    ".gitmodules": `[submodule "evil"]\n\tpath = evil\n\turl = ext::sh -c touch% ${marker("ext-submodule")}\n`,
  });
  const hooks = path.join(repo.dir, "evil-hooks");
  mkdirSync(hooks);
  for (const hook of [
    "pre-commit",
    "post-commit",
    "post-checkout",
    "reference-transaction",
    "pre-receive",
    "post-update",
    "pre-auto-gc",
    "post-rewrite",
    "fsmonitor-watchman",
  ]) {
    writeFileSync(path.join(hooks, hook), `#!/bin/sh\ntouch ${marker("hook")}\n`);
    chmodSync(path.join(hooks, hook), 0o755);
  }
  git(repo.dir, "add", "-A");
  git(repo.dir, "commit", "-q", "-m", "hooks");
  git(repo.dir, "branch", "-f", "feature/other");
  // Repo-local config is not cloned, but a local clone runs upload-pack in the source repository, so the
  // payloads go into the source's own config as well as into what is cloned.
  const config: [string, string][] = [
    ["core.fsmonitor", `touch ${marker("fsmonitor")}; false`],
    ["core.hooksPath", hooks],
    ["filter.x.smudge", `sh -c 'touch ${marker("smudge")}; cat'`],
    ["filter.x.clean", `sh -c 'touch ${marker("clean")}; cat'`],
    ["diff.x.textconv", `sh -c 'touch ${marker("textconv")}; cat "$1"' -`],
    ["uploadpack.packObjectsHook", `sh -c 'touch ${marker("pack-objects-hook")}; exec "$@"' -`],
    ["core.sshCommand", `sh -c 'touch ${marker("ssh-command")}'`],
    ["core.alternateRefsCommand", `sh -c 'touch ${marker("alternate-refs")}'`],
    ["protocol.ext.allow", "always"],
  ];
  for (const [key, value] of config) git(repo.dir, "config", key, value);
});

afterAll(() => {
  rmSync(markerDir, { recursive: true, force: true });
});

describe("host git on a hostile repository", () => {
  it("the payloads are live: plain git in the source repository does run them", () => {
    // Without this, a payload that never fires would make the real test pass for the wrong reason.
    clearMarkers();
    git(repo.dir, "status", "--short");
    writeFileSync(path.join(repo.dir, "README.md"), "# changed\n");
    git(repo.dir, "add", "README.md");
    git(repo.dir, "checkout", "-q", "HEAD", "--", "README.md");
    git(repo.dir, "commit", "-q", "--allow-empty", "-m", "probe");
    git(repo.dir, "log", "-p", "-1", "HEAD~1");
    expect(markers()).toEqual(expect.arrayContaining(["fsmonitor", "hook", "clean", "smudge", "textconv"]));
    git(repo.dir, "reset", "-q", "--hard", "HEAD~1");
    clearMarkers();
  });

  it("mirror sync (clone, then fetch) and resolveBranch run none of them", async () => {
    clearMarkers();
    const root = path.join(mkdtempSync(path.join(tmpdir(), "patchbay-mirrors-")), "m");
    const mirrors = createMirrorCache({ root, timeoutMs: 30_000, allowLocal: true });

    const mirrorPath = await mirrors.sync(repo.url);
    expect(await mirrors.resolveBranch(mirrorPath, "main")).toBe(git(repo.dir, "rev-parse", "HEAD"));
    expect(await mirrors.resolveBranch(mirrorPath, "feature/other")).toBe(git(repo.dir, "rev-parse", "HEAD"));

    expect(markers()).toEqual([]);

    // A new commit upstream (made here with hooks off, then markers cleared), then the fetch path of sync.
    git(repo.dir, "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "commit", "-q", "--allow-empty", "-m", "second");
    const head = git(repo.dir, "rev-parse", "HEAD");
    clearMarkers();
    expect(await mirrors.sync(repo.url)).toBe(mirrorPath);
    expect(await mirrors.resolveBranch(mirrorPath, "main")).toBe(head);

    // The branch_not_found path lists branches with for-each-ref.
    const missing = await mirrors.resolveBranch(mirrorPath, "nope").catch((error: unknown) => error);
    expect(isAppError(missing) && missing.code).toBe("branch_not_found");

    // Hardened git commands in the bare mirror itself (what the worker may run there).
    await runGit(["log", "-p", "--no-ext-diff", "--no-textconv", "-1", "main", "--"], { cwd: mirrorPath, timeoutMs: 10_000 });
    await runGit(["gc", "--auto"], { cwd: mirrorPath, timeoutMs: 30_000 });

    expect(markers()).toEqual([]);
    for (const name of payloads) expect(existsSync(marker(name))).toBe(false);
    // Nothing from the source's config reached the mirror's config.
    const mirrorConfig = (await runGit(["config", "--local", "--list"], { cwd: mirrorPath, timeoutMs: 5_000 })).stdout;
    expect(mirrorConfig).not.toMatch(/fsmonitor|hookspath|filter\.x|sshcommand|packobjectshook|alternaterefs/i);
  });

  it("the wrapper's flags keep even a poisoned mirror config inert", async () => {
    // Defence in depth: were the mirror's own config ever written by someone else, fetch would run its
    // hooks (reference-transaction). Prove that with plain git, then that runGit's flags stop it.
    const root = path.join(mkdtempSync(path.join(tmpdir(), "patchbay-mirrors-")), "m");
    const mirrors = createMirrorCache({ root, timeoutMs: 30_000, allowLocal: true });
    const mirrorPath = await mirrors.sync(repo.url);
    git(mirrorPath, "config", "core.hooksPath", path.join(repo.dir, "evil-hooks"));
    git(mirrorPath, "config", "core.fsmonitor", `touch ${marker("fsmonitor")}; false`);

    git(repo.dir, "-c", "core.hooksPath=/dev/null", "commit", "-q", "--allow-empty", "-m", "third");
    clearMarkers();
    git(mirrorPath, "fetch", "-q", "origin");
    expect(markers()).toContain("hook");

    git(repo.dir, "-c", "core.hooksPath=/dev/null", "commit", "-q", "--allow-empty", "-m", "fourth");
    clearMarkers();
    await mirrors.sync(repo.url);
    expect(await mirrors.resolveBranch(mirrorPath, "main")).toBe(git(repo.dir, "rev-parse", "HEAD"));
    await runGit(["gc", "--auto"], { cwd: mirrorPath, timeoutMs: 30_000 });
    expect(markers()).toEqual([]);
  });
});
