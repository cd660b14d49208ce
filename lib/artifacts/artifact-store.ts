// Bytes of artifacts (screenshots) on local disk under PATCHBAY_DATA_DIR/artifacts. Keys are generated
// by us (`<attemptId>/<random>.png`), never taken from a request. An S3-compatible store can implement
// the same two functions later.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export type ArtifactStore = {
  put(attemptId: string, extension: string, bytes: Buffer): Promise<string>;
  get(key: string): Promise<Buffer>;
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
  };
}
