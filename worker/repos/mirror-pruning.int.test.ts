// Mirror pruning with real git mirrors on disk: a mirror unused past the TTL goes (with its known-hosts
// file), a recently used one stays however far past the budget, a dead partial clone goes, and the next
// sync of a pruned repository simply clones it again.
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createFixtureRepo, git } from "@/test/support/fixture-repo";
import { createMirrorCache } from "./mirror-cache";

const DAY = 24 * 3600_000;
const root = path.join(mkdtempSync(path.join(tmpdir(), "patchbay-mirror-prune-")), "m");
afterAll(() => rmSync(path.dirname(root), { recursive: true, force: true }));

/** Pretends a mirror (or any path) was last touched `days` ago. */
function age(target: string, days: number): void {
  const then = new Date(Date.now() - days * DAY);
  utimesSync(target, then, then);
}

describe("mirror pruning", () => {
  it("removes what is unused past the TTL or a dead clone, never what was used recently, and clones a pruned repository again", async () => {
    const mirrors = createMirrorCache({ root, timeoutMs: 30_000, allowLocal: true });
    const oldRepo = createFixtureRepo({ "README.md": "# old\n" });
    const busyRepo = createFixtureRepo({ "README.md": "# busy\n" });
    const oldMirror = await mirrors.sync(oldRepo.url);
    const busyMirror = await mirrors.sync(busyRepo.url);
    age(path.join(oldMirror, "patchbay-last-used"), 40);
    writeFileSync(oldMirror.replace(/\.git$/, ".known_hosts"), "");
    const partial = `${busyMirror}.partial-1-2`;
    mkdirSync(partial);
    age(partial, 1);

    // A budget of one byte: the recently used mirror stays anyway (an attempt may still read it).
    const result = await mirrors.prune({ ttlMs: 30 * DAY, budgetBytes: 1, minIdleMs: 3600_000 });
    expect(result.removed.sort()).toEqual([oldMirror, partial].sort());
    expect(existsSync(oldMirror)).toBe(false);
    expect(existsSync(oldMirror.replace(/\.git$/, ".known_hosts"))).toBe(false);
    expect(existsSync(busyMirror)).toBe(true);
    expect(result.keptBytes).toBeGreaterThan(0);

    // Past the idle time, the budget decides: nothing may stay under one byte.
    age(path.join(busyMirror, "patchbay-last-used"), 1);
    expect((await mirrors.prune({ ttlMs: 30 * DAY, budgetBytes: 1, minIdleMs: 3600_000 })).removed).toEqual([busyMirror]);

    git(oldRepo.dir, "commit", "-q", "--allow-empty", "-m", "later");
    expect(await mirrors.sync(oldRepo.url)).toBe(oldMirror);
    expect(await mirrors.resolveBranch(oldMirror, "main")).toBe(git(oldRepo.dir, "rev-parse", "HEAD"));
  });
});
