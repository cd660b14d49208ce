// Paperkite, the fixture web app (test/fixtures/preview-app: Preact + htm on a zero-dependency Node
// server), written out as a git repository. Tests use it for previews and copy mode; `npm start`
// installs offer it as the demo environment. The browser build of Preact + htm is copied from
// node_modules into the repository's public/vendor/, so the app needs no registry when it runs.
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

// Resolved from the project root: Next bundles this module, so its own URL says nothing about where it is.
const FIXTURE_DIR = path.resolve(process.cwd(), "test/fixtures/preview-app");
const VENDOR_MODULE = path.resolve(process.cwd(), "node_modules/htm/preact/standalone.module.js");

/** How Patchbay installs, starts and probes the app (it runs on the sandbox's Node.js, offline). */
export const PAPERKITE_PREVIEW = {
  installCommand: "node scripts/check.js",
  startCommand: "node server.js",
  port: 4173,
  readinessPath: "/healthz",
  routes: ["/", "/pricing", "/contact"],
  // server.js reads every file per request (Cache-Control: no-store) and the install command only checks:
  // an edit shows on the next page load.
  servesEditsLive: true,
} as const;

export const PAPERKITE_CHECK_COMMAND = "node scripts/check.js";

/** Writes the app into `dir` (which must not exist yet) and commits it on `main`; returns the commit. */
export function writePaperkiteRepo(dir: string, extraFiles: Record<string, string> = {}): string {
  cpSync(FIXTURE_DIR, dir, { recursive: true });
  mkdirSync(path.join(dir, "public", "vendor"), { recursive: true });
  copyFileSync(VENDOR_MODULE, path.join(dir, "public", "vendor", "standalone.module.js"));
  for (const [name, content] of Object.entries(extraFiles)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  // Our own files in a directory we just created: no repository config or hooks exist to distrust.
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Patchbay", "-c", "user.email=demo@patchbay.invalid", "-c", "commit.gpgsign=false", ...args], {
      cwd: dir,
      encoding: "utf8",
      env: gitEnv(dir),
    }).trim();
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "Paperkite demo app");
  return git("rev-parse", "HEAD");
}

/** A minimal env (nothing of ours reaches git); typed loosely because Next marks NODE_ENV as required. */
function gitEnv(home: string): NodeJS.ProcessEnv {
  const values: Record<string, string> = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: home, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
  return values as NodeJS.ProcessEnv;
}
