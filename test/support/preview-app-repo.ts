// A real little web app (Preact + htm, zero-dependency Node server) as a git repository on disk, for
// tests and demos of previews, screenshots and copy mode. Source: test/fixtures/preview-app/. The
// browser build of Preact + htm comes from node_modules and is committed into the repo's public/vendor/.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { git, type FixtureRepo } from "./fixture-repo";

const FIXTURE_DIR = fileURLToPath(new URL("../fixtures/preview-app", import.meta.url));
const VENDOR_MODULE = fileURLToPath(new URL("../../node_modules/htm/preact/standalone.module.js", import.meta.url));

/** How Patchbay should install, start and probe the preview app (it runs on Node 18, no network). */
export const PREVIEW_APP_CONFIG = {
  installCommand: "node scripts/check.js",
  startCommand: "node server.js",
  port: 4173,
  readinessPath: "/healthz",
  routes: ["/", "/pricing", "/contact"],
} as const;

/** Where the server serves the vendored Preact + htm module (public/vendor/standalone.module.js). */
export const PREVIEW_APP_VENDOR_PATH = "/vendor/standalone.module.js";

export function createPreviewAppRepo(options: { extraFiles?: Record<string, string> } = {}): FixtureRepo {
  const dir = mkdtempSync(path.join(tmpdir(), "patchbay-preview-app-"));
  cpSync(FIXTURE_DIR, dir, { recursive: true });
  mkdirSync(path.join(dir, "public", "vendor"), { recursive: true });
  copyFileSync(VENDOR_MODULE, path.join(dir, "public", "vendor", "standalone.module.js"));
  for (const [name, content] of Object.entries(options.extraFiles ?? {})) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "Paperkite preview app");
  return { dir, url: `file://${dir}`, baseCommit: git(dir, "rev-parse", "HEAD") };
}
