// The fixture web app (Paperkite) as a fresh git repository in a temporary directory, for tests of
// previews, screenshots and copy mode. The app and how it is written out: lib/demo/paperkite-repo.ts.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PAPERKITE_PREVIEW, writePaperkiteRepo } from "@/lib/demo/paperkite-repo";
import type { FixtureRepo } from "./fixture-repo";

/** How Patchbay should install, start and probe the preview app (it runs on the sandbox's Node.js, no network). */
export const PREVIEW_APP_CONFIG = PAPERKITE_PREVIEW;

/** Where the server serves the vendored Preact + htm module (public/vendor/standalone.module.js). */
export const PREVIEW_APP_VENDOR_PATH = "/vendor/standalone.module.js";

export function createPreviewAppRepo(options: { extraFiles?: Record<string, string> } = {}): FixtureRepo {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), "patchbay-preview-app-")), "repo");
  const baseCommit = writePaperkiteRepo(dir, options.extraFiles ?? {});
  return { dir, url: `file://${dir}`, baseCommit };
}
