// The Vite fixture projects with real dependencies (committed package-lock.json files) as fresh git
// repositories, for tests of environments whose setup installs from the npm registry: test/fixtures/vite-app
// (Preact, with a vitest suite) and test/fixtures/vite-router-app (React, react-router, ICU catalog).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createFixtureRepo, type FixtureRepo } from "./fixture-repo";

const ROOT = path.resolve(import.meta.dirname, "../fixtures/vite-app");

export function viteAppFiles(dir = ROOT, prefix = ""): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(files, viteAppFiles(path.join(dir, entry.name), rel));
    else files[rel] = readFileSync(path.join(dir, entry.name), "utf8");
  }
  return files;
}

export function createViteAppRepo(): FixtureRepo {
  return createFixtureRepo(viteAppFiles());
}

/** How the app is previewed once setup installed it (`npm ci`). */
export const VITE_APP_PREVIEW = {
  startCommand: "npx vite --host 0.0.0.0 --port 5173 --strictPort",
  port: 5173,
  readinessPath: "/",
  routes: { mode: "fixed" as const, paths: ["/"] },
};

const ROUTER_ROOT = path.resolve(import.meta.dirname, "../fixtures/vite-router-app");

/** Inkwell: a Vite + React app with react-router routes and an ICU JSON catalog (test/fixtures/vite-router-app). */
export function createViteRouterAppRepo(): FixtureRepo {
  return createFixtureRepo(viteAppFiles(ROUTER_ROOT));
}

export const VITE_ROUTER_APP_PREVIEW = {
  ...VITE_APP_PREVIEW,
  routes: { mode: "fixed" as const, paths: ["/", "/pricing", "/about"] },
};
