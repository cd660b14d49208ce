// The setup cache key, and why a task missed. The key covers everything setup's result depends on that
// Patchbay can see: the sandbox image, the setup script, the plain env, the Node.js version and the
// dependency manifests and lockfiles at the task's base commit (by git blob id, so no file is read).
// The maintenance script is not part of it: it runs on every hit to catch up with newer commits.
import { createHash } from "node:crypto";
import picomatch from "picomatch";

/** Lockfiles and manifests whose content decides what setup installs, matched by file name anywhere. */
const DEPENDENCY_FILES = [
  "package-lock.json",
  "npm-shrinkwrap.json",
  "pnpm-lock.yaml",
  "yarn.lock",
  "bun.lock",
  "bun.lockb",
  "requirements*.txt",
  "constraints*.txt",
  "Pipfile.lock",
  "poetry.lock",
  "uv.lock",
  "Cargo.lock",
  "go.sum",
  "Gemfile.lock",
  "composer.lock",
  "gradle.lockfile",
  ".nvmrc",
  ".node-version",
  ".python-version",
  ".tool-versions",
];

export type CacheKeyParts = {
  image: string;
  script: string;
  env: string;
  nodeVersion: string;
  /** path → git blob id */
  files: Record<string, string>;
};

const isDependencyFile = picomatch(DEPENDENCY_FILES, { basename: true, dot: true });

/** The files of a commit (path → blob id) that go into the key: the built-in list plus the environment's globs. */
export function keyFiles(tree: { path: string; oid: string }[], extraGlobs: string[]): Record<string, string> {
  const extra = extraGlobs.length > 0 ? picomatch(extraGlobs, { dot: true }) : () => false;
  const files: Record<string, string> = {};
  for (const entry of tree) {
    if (entry.path.split("/").includes("node_modules")) continue;
    if (isDependencyFile(entry.path) || extra(entry.path)) files[entry.path] = entry.oid;
  }
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function cacheKeyParts(input: {
  imageId: string;
  setupScript: string;
  env: Record<string, string>;
  nodeVersion: string;
  files: Record<string, string>;
}): CacheKeyParts {
  const sortedEnv = Object.entries(input.env).sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    image: input.imageId,
    script: sha256(input.setupScript),
    env: sha256(JSON.stringify(sortedEnv)),
    nodeVersion: input.nodeVersion,
    files: input.files,
  };
}

export function cacheKey(parts: CacheKeyParts): string {
  return sha256(JSON.stringify([parts.image, parts.script, parts.env, parts.nodeVersion, Object.entries(parts.files)]));
}

/** Why a setup ran although the environment has a cache: what differs from its newest cache. */
export function missReason(current: CacheKeyParts, previous: CacheKeyParts | null): string {
  if (!previous) return "no cache yet";
  if (previous.image !== current.image) return "the sandbox image changed";
  if (previous.script !== current.script) return "the setup script changed";
  if (previous.nodeVersion !== current.nodeVersion) return `the Node.js version changed to ${current.nodeVersion}`;
  if (previous.env !== current.env) return "the environment variables changed";
  const changed = [...new Set([...Object.keys(previous.files), ...Object.keys(current.files)])].filter((path) => previous.files[path] !== current.files[path]);
  if (changed.length > 0) {
    const named = changed.slice(0, 3).join(", ");
    return `${named}${changed.length > 3 ? ` and ${changed.length - 3} more` : ""} changed`;
  }
  return "no cache on this worker";
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
