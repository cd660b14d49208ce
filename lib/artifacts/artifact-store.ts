// Bytes of artifacts (screenshots) on local disk under PATCHBAY_DATA_DIR/artifacts. Keys are generated
// by us (`<attemptId>/<random>.png`), never taken from a request. An S3-compatible store can implement
// the same functions later.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm, rmdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";

export type ArtifactStore = {
  put(attemptId: string, extension: string, bytes: Buffer): Promise<string>;
  get(key: string): Promise<Buffer>;
  /** Deletes the bytes of a key; a missing key is fine. */
  remove(key: string): Promise<void>;
  /** Every stored key with when it was written, for sweeping bytes no row refers to. */
  list(): Promise<{ key: string; writtenAt: Date }[]>;
};

const KEY_PATTERN = /^[a-z0-9]+\/[a-f0-9]{24}\.[a-z]{2,4}$/;

export function createLocalArtifactStore(rootDir: string): ArtifactStore {
  const root = path.resolve(rootDir);
  const fileFor = (key: string) => {
    if (!KEY_PATTERN.test(key)) throw new Error(`Invalid artifact key: ${key}`);
    return path.join(root, key);
  };
  return {
    async put(attemptId, extension, bytes) {
      const key = `${attemptId}/${randomBytes(12).toString("hex")}.${extension}`;
      const file = fileFor(key);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes);
      return key;
    },
    async get(key) {
      return readFile(fileFor(key));
    },
    async remove(key) {
      const file = fileFor(key);
      await rm(file, { force: true });
      // The attempt's directory goes with its last file.
      await rmdir(path.dirname(file)).catch(() => undefined);
    },
    async list() {
      const found: { key: string; writtenAt: Date }[] = [];
      for (const dir of await readdir(root).catch(() => [] as string[])) {
        for (const name of await readdir(path.join(root, dir)).catch(() => [] as string[])) {
          const key = `${dir}/${name}`;
          if (!KEY_PATTERN.test(key)) continue;
          const info = await stat(path.join(root, key)).catch(() => null);
          if (info) found.push({ key, writtenAt: info.mtime });
        }
      }
      return found;
    },
  };
}
