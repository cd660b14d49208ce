// Concurrent syncs of one mirror against a real git HTTP remote that can hold the object transfer: a sync
// asked for while an older fetch is running must not be answered with that fetch's (older) view.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createFixtureRepo, git } from "@/test/support/fixture-repo";
import { startHeldRemote, type HeldRemote } from "@/test/support/git-http-backend";
import { waitFor } from "@/test/support/wait-for";
import { createMirrorCache } from "./mirror-cache";

const root = path.join(mkdtempSync(path.join(tmpdir(), "patchbay-mirror-sync-")), "m");
let remote: HeldRemote | undefined;
afterAll(async () => {
  await remote?.close();
  rmSync(path.dirname(root), { recursive: true, force: true });
});

describe("mirror sync", () => {
  it("answers a sync asked for during a running fetch with a fetch that started after it was asked", async () => {
    const repo = createFixtureRepo();
    remote = await startHeldRemote(repo.dir, "fetch");
    remote.release();
    const mirrors = createMirrorCache({ root, timeoutMs: 60_000, allowLocal: true });
    const mirrorPath = await mirrors.sync(remote.url);

    // A new commit, and a sync that starts fetching it and stands in the object transfer.
    const first = git(remote.bareDir, "commit-tree", "-p", "main", "-m", "first", "main^{tree}");
    git(remote.bareDir, "update-ref", "refs/heads/main", first);
    remote.hold();
    const running = mirrors.sync(remote.url);
    await waitFor("the fetch to stand in the object transfer", async () => (remote?.waiting() ?? 0) > 0, 30_000);

    // Pushed while that fetch runs: a caller who asks now knows of it.
    const second = git(remote.bareDir, "commit-tree", "-p", first, "-m", "second", `${first}^{tree}`);
    git(remote.bareDir, "update-ref", "refs/heads/main", second);
    const asked = mirrors.sync(remote.url);
    remote.release();

    expect(await running).toBe(mirrorPath);
    expect(await asked).toBe(mirrorPath);
    expect(await mirrors.resolveBranch(mirrorPath, "main")).toBe(second);
  });
});
