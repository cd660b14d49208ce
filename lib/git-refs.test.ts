import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "./errors";
import { classifyRepoUrl, parseRepoUrl, validateBranchName } from "./git-refs";

const accepted = ["main", "feature/x-1", "release/2026.11", "a.lock.b", "x@", "a@b", "head", "é/日本", "fix/$(touchx)", "a/-b", "refs/heads/x"];
const rejected = [
  "",
  "-x",
  "a..b",
  "a b",
  "a~1",
  "a^b",
  "a:b",
  "a?b",
  "a*b",
  "a[b",
  "a\\b",
  "a\tb",
  "a\x7fb",
  "x.lock",
  "a/b.lock",
  "/x",
  "x/",
  "a//b",
  "x.",
  ".x",
  "a/.b",
  "@{",
  "a@{-1}",
  "feat/$(touch x)",
  "HEAD",
];

describe("validateBranchName", () => {
  it.each(accepted)("accepts %j", (name) => {
    expect(validateBranchName(name)).toBeNull();
  });

  it.each(rejected)("rejects %j with a message naming the problem", (name) => {
    const problem = validateBranchName(name);
    expect(problem).toEqual(expect.any(String));
    expect(problem!.length).toBeGreaterThan(10);
  });

  it("rejects names over 200 characters", () => {
    expect(validateBranchName("a".repeat(200))).toBeNull();
    expect(validateBranchName("a".repeat(201))).toMatch(/200/);
  });

  describe("agrees with `git check-ref-format --branch`", () => {
    // Outside any repository, so `@` and `@{-1}` are not expanded against a checkout.
    const cwd = mkdtempSync(path.join(tmpdir(), "patchbay-refs-"));
    afterAll(() => rmSync(cwd, { recursive: true, force: true }));

    function gitAccepts(name: string): boolean {
      try {
        execFileSync("git", ["check-ref-format", "--branch", name], {
          cwd,
          stdio: "pipe",
          env: { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", NODE_ENV: "test", GIT_CONFIG_NOSYSTEM: "1" },
        });
        return true;
      } catch {
        return false;
      }
    }

    // Stricter than git on purpose: "@" alone means HEAD in revision syntax, and git has no length limit.
    const deliberatelyStricter = new Set(["@", "a".repeat(201)]);
    const names = [
      ...accepted,
      ...rejected.filter((name) => name !== ""),
      ...deliberatelyStricter,
      "x@{",
      "a{b",
      "a}b",
      "a#b",
      "a!b",
      "a'b",
      'a"b',
      "a;b",
      "a|b",
      "a&b",
      "a<b",
      "a>b",
      "a,b",
      "a=b",
      "a%b",
      "a+b",
      "@x",
      "@/a",
      "a/@",
      "..",
      ".",
      "a/..",
      "a..",
      "a/.lock",
      "x.lock.lock",
      "-",
      "--",
      "a--b",
      "a/-",
      "x/HEAD",
      "HEAD/x",
      "FETCH_HEAD",
      "💩",
      "a\nb",
    ];

    it.each(names)("%j", (name) => {
      const ours = validateBranchName(name) === null;
      const git = gitAccepts(name);
      if (deliberatelyStricter.has(name)) {
        expect(git).toBe(true);
        expect(ours).toBe(false);
      } else {
        expect(ours).toBe(git);
      }
    });
  });
});

function classifyError(url: string, allowLocal = false): AppError {
  try {
    classifyRepoUrl(url, { allowLocal });
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("bad_request");
    return error as AppError;
  }
  throw new Error(`expected ${JSON.stringify(url)} to be rejected`);
}

describe("classifyRepoUrl", () => {
  it.each([
    ["https://github.com/owner/repo.git", "https"],
    ["https://gitlab.example.com:8443/group/sub/repo", "https"],
    ["git@github.com:owner/repo.git", "ssh"],
    ["git@git.example.com:owner/sub/repo", "ssh"],
    ["ssh://git@github.com/owner/repo.git", "ssh"],
    ["ssh://git@host.example.com:2222/repo.git", "ssh"],
  ] as const)("classifies %j as %s", (url, kind) => {
    expect(classifyRepoUrl(url, { allowLocal: false })).toBe(kind);
  });

  it("allows file:// only when local repositories are enabled", () => {
    expect(classifyRepoUrl("file:///srv/repos/app.git", { allowLocal: true })).toBe("file");
    expect(classifyError("file:///srv/repos/app.git").userMessage).toMatch(/PATCHBAY_ALLOW_LOCAL_REPOS/);
  });

  it("allows file:// under Patchbay's own roots (the demo) even when local repositories are off", () => {
    const options = { allowLocal: false, localRoots: ["/srv/patchbay/.data/demo"] };
    expect(classifyRepoUrl("file:///srv/patchbay/.data/demo/paperkite", options)).toBe("file");
    for (const url of [
      "file:///srv/patchbay/.data/demo",
      "file:///srv/patchbay/.data/demo/../mirrors/x",
      "file:///srv/patchbay/.data/demo-other/x",
      "file://host/srv/patchbay/.data/demo/x",
      "file:///srv/patchbay/.data/demo/%E0%A4",
    ]) {
      expect(() => classifyRepoUrl(url, options), url).toThrow(/PATCHBAY_ALLOW_LOCAL_REPOS/);
    }
  });

  it.each(["https://x-access-token:ghs_abc@github.com/o/r.git", "https://token@github.com/o/r.git", "ssh://git:hunter2@github.com/o/r.git"])(
    "rejects credentials in %j without echoing them",
    (url) => {
      const error = classifyError(url);
      expect(error.userMessage).toMatch(/credentials/i);
      expect(error.userMessage).not.toMatch(/ghs_abc|hunter2|token@/);
    },
  );

  it.each(["git://github.com/o/r.git", "ext::foo", "ftp://example.com/r.git", "fd::17", "HTTPS://github.com/o/r.git"])(
    "rejects the unsupported scheme of %j",
    (url) => {
      expect(classifyError(url, true).userMessage).toMatch(/scheme|not a repository URL/);
    },
  );

  it("allows plain http:// only in local development mode", () => {
    expect(classifyRepoUrl("http://127.0.0.1:8080/r.git", { allowLocal: true })).toBe("http");
    expect(classifyError("http://github.com/o/r.git").userMessage).toMatch(/unencrypted.*PATCHBAY_ALLOW_LOCAL_REPOS=1/);
    expect(classifyError("http://x-access-token:ghs_abc@127.0.0.1/r.git", true).userMessage).toMatch(/credentials/);
  });

  it.each([
    // Spellings where URL parsers disagree on the host, so the host we check might not be the one git uses.
    "https://github.com\\@127.0.0.1/o/r.git",
    "https://github.com\\.evil/o/r.git",
    "https://0x7f.1/o/r.git",
    "https://2130706433/o/r.git",
    "https://127.1/o/r.git",
    "https://010.0.0.1/o/r.git",
    "https://bücher.example/o/r.git",
    "https://github.com/o/r.git?x=1",
    "https://github.com/o/r.git#frag",
    "https://github.com:0/o/r.git",
    "https://github.com:70000/o/r.git",
    "https://-github.com/o/r.git",
    "https://github.com./o/r.git",
    "ssh://-oProxyCommand=touch@host/r.git",
    "ssh://git@0x7f.1/r.git",
    "ssh://git@host",
    "git@0x7f.1:o/r.git",
    "git@-oProxyCommand=x:o/r.git",
  ])("rejects %j, whose host is not in a plain spelling", (url) => {
    expect(classifyError(url, true).userMessage).toMatch(/not a repository URL/);
  });

  it.each([
    ["https://github.com/owner/repo.git", { kind: "https", host: "github.com", port: 443 }],
    ["https://git.example.com:8443/group/repo", { kind: "https", host: "git.example.com", port: 8443 }],
    ["https://[2001:db8::1]/o/r.git", { kind: "https", host: "2001:db8::1", port: 443 }],
    ["https://203.0.113.7/o/r.git", { kind: "https", host: "203.0.113.7", port: 443 }],
    ["http://127.0.0.1:8080/r.git", { kind: "http", host: "127.0.0.1", port: 8080 }],
    ["git@github.com:owner/repo.git", { kind: "ssh", host: "github.com", port: 22 }],
    ["git@192.0.2.10:owner/repo.git", { kind: "ssh", host: "192.0.2.10", port: 22 }],
    ["ssh://git@host.example.com:2222/repo.git", { kind: "ssh", host: "host.example.com", port: 2222 }],
    ["ssh://host.example.com/repo.git", { kind: "ssh", host: "host.example.com", port: 22 }],
    ["ssh://git@[::1]:2222/repo.git", { kind: "ssh", host: "::1", port: 2222 }],
    ["file:///srv/repos/app.git", { kind: "file" }],
  ] as const)("parses %j into the host and port git connects to", (url, parsed) => {
    expect(parseRepoUrl(url, { allowLocal: true })).toEqual(parsed);
  });

  it.each(["-uhttps://github.com/o/r", "--upload-pack=touch /tmp/x"])("rejects %j, which git would read as an option", (url) => {
    expect(classifyError(url, true).userMessage).toMatch(/'-'|spaces/);
  });

  it.each([" https://github.com/o/r", "https://github.com/o/r ", "https://github.com/o r", "ext::sh -c touch% /tmp/x", "https://github.com/o/r\n", ""])(
    "rejects %j for spaces or emptiness",
    (url) => {
      expect(classifyError(url, true).userMessage).toMatch(/spaces|empty/);
    },
  );

  it("rejects plain paths and unknown forms with an example of what works", () => {
    expect(classifyError("/srv/repos/app.git", true).userMessage).toMatch(/https:\/\/host\/owner\/repo\.git/);
    expect(classifyError("not a url").userMessage).toMatch(/spaces/);
  });

  it("rejects overlong URLs", () => {
    expect(classifyError(`https://github.com/${"a".repeat(2000)}`).userMessage).toMatch(/2000/);
  });
});
