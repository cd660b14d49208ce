import { promises as fsp } from "node:fs";
import path from "node:path";
import type { PatchFileSystem } from "./apply-patch";
import { PatchError } from "./parse-patch";

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * A PatchFileSystem rooted at `rootDir`. Paths are relative to the root and must stay inside it, also
 * after resolving symlinks: a repository can contain a symlink to "/" or "..", and a patch must not be
 * able to write through it. (The check and the write are not one atomic step; this guards against
 * patches, not against a concurrent process swapping directories.)
 */
export function createLocalPatchFileSystem(rootDir: string): PatchFileSystem {
  const root = path.resolve(rootDir);
  let realRoot: Promise<string> | null = null;

  const resolve = async (relPath: string): Promise<string> => {
    const abs = path.resolve(root, relPath);
    if (path.isAbsolute(relPath) || abs === root || !isInside(root, abs)) {
      throw new PatchError(`Path is outside the working directory: ${relPath}`);
    }
    realRoot ??= fsp.realpath(root);
    const resolvedRoot = await realRoot;

    // Realpath the deepest part of the path that exists (the file itself, or its nearest existing parent):
    // whatever gets created below it will then be inside too.
    let probe = abs;
    for (;;) {
      try {
        await fsp.lstat(probe);
        break;
      } catch (error) {
        const code = errorCode(error);
        if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
        const parent = path.dirname(probe);
        if (parent === probe) throw error;
        probe = parent;
      }
    }
    let real: string;
    try {
      real = await fsp.realpath(probe);
    } catch (error) {
      if (errorCode(error) === "ENOENT") {
        throw new PatchError(`Refusing to write through a dangling symlink: ${path.relative(root, probe) || "."}`);
      }
      throw error;
    }
    if (!isInside(resolvedRoot, real)) {
      throw new PatchError(`Path resolves outside the working directory through a symlink: ${relPath}`);
    }
    if (probe !== abs && !(await fsp.stat(real)).isDirectory()) {
      throw new PatchError(`Cannot use ${relPath}: ${path.relative(root, probe)} is a file, not a directory`);
    }
    return abs;
  };

  return {
    async readFile(relPath) {
      const abs = await resolve(relPath);
      try {
        return await fsp.readFile(abs, "utf8");
      } catch (error) {
        const code = errorCode(error);
        if (code === "ENOENT") return null;
        if (code === "EISDIR") throw new PatchError(`${relPath} is a directory, not a file`);
        throw error;
      }
    },
    async writeFile(relPath, content) {
      const abs = await resolve(relPath);
      await fsp.mkdir(path.dirname(abs), { recursive: true });
      await fsp.writeFile(abs, content, "utf8");
    },
    async deleteFile(relPath) {
      const abs = await resolve(relPath);
      await fsp.rm(abs, { force: true });
    },
  };
}
