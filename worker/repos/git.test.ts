import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { assertValidBranch, GitError, gitArgv, gitEnv, runGit } from "./git";

const REQUIRED_FLAGS = ["core.fsmonitor=false", "core.hooksPath=/dev/null", "diff.external=", "core.sshCommand=false", "protocol.ext.allow=never"];

/** The `-c key=value` pairs that come before the first non-`-c` argument. */
function leadingConfig(argv: readonly string[]): string[] {
  const config: string[] = [];
  let i = 0;
  while (argv[i] === "-c") {
    const value = argv[i + 1];
    if (value === undefined) throw new Error("dangling -c");
    config.push(value);
    i += 2;
  }
  return config;
}

describe("gitArgv", () => {
  it.each([
    [["fetch", "--prune", "origin"]],
    [["clone", "--mirror", "--", "https://example.com/r.git", "/tmp/x"]],
    [[]],
    [["-c", "core.fsmonitor=/bin/evil", "status"]],
  ])("puts every hardening flag before %j", (args) => {
    const argv = gitArgv(args);
    // The caller's args follow unchanged, after a prefix made only of `-c key=value` pairs.
    expect(argv.slice(argv.length - args.length)).toEqual(args);
    const prefix = argv.slice(0, argv.length - args.length);
    const config = leadingConfig(prefix);
    expect(prefix.length).toBe(config.length * 2);
    for (const flag of REQUIRED_FLAGS) expect(config).toContain(flag);
  });

  /** The value git uses for a key given several times with -c: the last one. */
  function effective(argv: readonly string[]): Map<string, string> {
    const values = new Map<string, string>();
    for (const pair of leadingConfig(argv)) {
      const at = pair.indexOf("=");
      values.set(pair.slice(0, at).toLowerCase(), pair.slice(at + 1));
    }
    return values;
  }

  it.each([[["fetch", "--prune", "origin"]], [["clone", "--mirror", "--", "https://example.com/r.git", "/tmp/x"]], [["ls-remote", "origin"]], [["status"]]])(
    "allows only https and ssh, without redirects, on %j unless told otherwise",
    (args) => {
      const config = effective(gitArgv(args));
      expect(config.get("http.followredirects")).toBe("false");
      expect(config.get("protocol.allow")).toBe("never");
      expect(config.get("protocol.https.allow")).toBe("always");
      expect(config.get("protocol.ssh.allow")).toBe("always");
      expect(config.get("protocol.file.allow")).toBe("never");
      expect(config.get("protocol.http.allow")).toBe("never");
      expect(config.get("protocol.ext.allow")).toBe("never");
      expect(config.get("core.sshcommand")).toBe("false");
    },
  );

  it("adds file:// and plain http:// for URLs allowed as local, for the URL itself only (not submodules)", () => {
    const config = effective(gitArgv(["clone", "--mirror", "--", "file:///srv/r.git", "/tmp/x"], "local"));
    expect(config.get("protocol.allow")).toBe("never");
    expect(config.get("protocol.file.allow")).toBe("user");
    expect(config.get("protocol.http.allow")).toBe("user");
    expect(config.get("protocol.https.allow")).toBe("always");
    expect(config.get("http.followredirects")).toBe("false");
  });

  it("does not change the caller's array", () => {
    const args = ["status"];
    gitArgv(args);
    expect(args).toEqual(["status"]);
  });
});

describe("gitEnv", () => {
  it("ignores system and global config and never prompts", () => {
    const env = gitEnv();
    expect(env.GIT_CONFIG_NOSYSTEM).toBe("1");
    expect(env.GIT_CONFIG_GLOBAL).toBe("/dev/null");
    expect(env.GIT_TERMINAL_PROMPT).toBe("0");
    expect(env.GIT_ASKPASS).toBeTruthy();
    expect(env.GIT_ASKPASS).not.toMatch(/askpass/i);
  });

  it("does not pass the worker's own environment through", () => {
    process.env.OPENAI_API_KEY = "sk-fake-for-git-env-test";
    process.env.PATCHBAY_TEST_MARKER = "marker-value";
    try {
      const env = gitEnv({ GIT_SSH_COMMAND: "ssh -i /keys/id" });
      expect(env.OPENAI_API_KEY).toBeUndefined();
      expect(env.PATCHBAY_TEST_MARKER).toBeUndefined();
      expect(Object.values(env)).not.toContain("sk-fake-for-git-env-test");
      expect(env.GIT_SSH_COMMAND).toBe("ssh -i /keys/id");
    } finally {
      delete process.env.OPENAI_API_KEY;
      delete process.env.PATCHBAY_TEST_MARKER;
    }
  });

  it("keeps the hardening when extra env is passed", () => {
    const env = gitEnv({ EXTRA: "1" });
    expect(env.EXTRA).toBe("1");
    expect(env.GIT_CONFIG_NOSYSTEM).toBe("1");
    expect(env.GIT_CONFIG_GLOBAL).toBe("/dev/null");
  });
});

describe("runGit (real git)", () => {
  let dir: string;
  let notRepo: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "patchbay-git-test-"));
    notRepo = await mkdtemp(path.join(tmpdir(), "patchbay-git-norepo-"));
    await runGit(["init", "--quiet", dir], { timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(notRepo, { recursive: true, force: true });
  });

  it("checks branch names with git check-ref-format, and a name it once accepted is still the only kind it accepts", async () => {
    for (const round of [1, 2]) {
      for (const good of ["main", "feature/copy-2"]) await expect(assertValidBranch(good), `${good} (round ${round})`).resolves.toBeUndefined();
      for (const bad of ["main..x", "-main", "main^{tree}", "feature/", "x.lock", "HEAD@{1}"]) {
        await expect(assertValidBranch(bad), `${bad} (round ${round})`).rejects.toThrow("is not a valid branch name");
      }
    }
  });

  it("runs git", async () => {
    const result = await runGit(["--version"], { timeoutMs: 10_000 });
    expect(result.stdout).toMatch(/^git version \d+\.\d+/);
  });

  it("applies the hardening flags and env to the real process", async () => {
    const hooks = await runGit(["config", "--get", "core.hooksPath"], { cwd: dir, timeoutMs: 10_000 });
    expect(hooks.stdout.trim()).toBe("/dev/null");
    const fsmonitor = await runGit(["config", "--get", "core.fsmonitor"], { cwd: dir, timeoutMs: 10_000 });
    expect(fsmonitor.stdout.trim()).toBe("false");
    process.env.OPENAI_API_KEY = "sk-fake-for-run-git-test";
    try {
      // A shell alias prints the environment git's children actually get.
      const { stdout } = await runGit(["-c", "alias.dumpenv=!env", "dumpenv"], { cwd: dir, timeoutMs: 10_000 });
      expect(stdout).toMatch(/^GIT_CONFIG_NOSYSTEM=1$/m);
      expect(stdout).toMatch(/^GIT_CONFIG_GLOBAL=\/dev\/null$/m);
      expect(stdout).toMatch(/^GIT_TERMINAL_PROMPT=0$/m);
      expect(stdout).not.toContain("OPENAI_API_KEY");
      expect(stdout).not.toContain("sk-fake-for-run-git-test");
    } finally {
      delete process.env.OPENAI_API_KEY;
    }
  });

  it("refuses file://, plain http:// and ext:: remotes unless the call allows local transports", async () => {
    const repo = createFixtureRepo();
    try {
      const refused = await runGit(["ls-remote", repo.url], { timeoutMs: 10_000 }).catch((e: unknown) => e);
      expect((refused as GitError).stderr).toMatch(/transport 'file' not allowed/);
      const http = await runGit(["ls-remote", "http://127.0.0.1:9/r.git"], { timeoutMs: 10_000 }).catch((e: unknown) => e);
      expect((http as GitError).stderr).toMatch(/transport 'http' not allowed/);
      const ext = await runGit(["ls-remote", "ext::sh -c false"], { timeoutMs: 10_000, transports: "local" }).catch((e: unknown) => e);
      expect((ext as GitError).stderr).toMatch(/transport 'ext' not allowed/);
      const listed = await runGit(["ls-remote", repo.url], { timeoutMs: 10_000, transports: "local" });
      expect(listed.stdout).toContain(repo.baseCommit);
    } finally {
      await rm(repo.dir, { recursive: true, force: true });
    }
  });

  it("rejects a failing call with a GitError naming the subcommand", async () => {
    const error = await runGit(["rev-parse", "--verify", "refs/heads/does-not-exist"], { cwd: dir, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).subcommand).toBe("rev-parse");
    expect((error as GitError).timedOut).toBe(false);
    expect((error as GitError).message).toMatch(/^git rev-parse failed/);
  });

  it("rejects outside a repository with git's own message", async () => {
    const error = await runGit(["status"], { cwd: notRepo, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).stderr).toMatch(/not a git repository/i);
  });
});
