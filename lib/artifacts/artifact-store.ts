// Bytes of artifacts (screenshots, diff images) in PostgreSQL, so the web app and every worker read the
// same store whatever machine they run on: nothing is tied to one disk. An object is an ArtifactBlob row
// and its bytes are ArtifactChunk rows of at most CHUNK_BYTES, written and read one chunk at a time, so
// a large artifact is never whole in memory. Keys are generated here (`<attemptId>/<random>.<ext>`),
// never taken from a request. An S3-compatible store can implement the same type later.
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";

export type ArtifactStore = {
  /** Stores bytes under a new key (newArtifactKey) and returns how many were written. */
  write(key: string, source: Uint8Array | AsyncIterable<Uint8Array>): Promise<number>;
  /** The bytes of a key, a piece at a time; fails with ArtifactBytesMissing when the key holds none. */
  read(key: string): AsyncIterable<Uint8Array>;
  /** Deletes the bytes of a key; a missing key is fine. */
  remove(key: string): Promise<void>;
  /** Every stored key with when it was written, for sweeping bytes no row refers to. */
  list(): Promise<{ key: string; writtenAt: Date }[]>;
};

export class ArtifactBytesMissing extends Error {
  constructor(key: string) {
    super(`No stored bytes for artifact ${key}.`);
  }
}

export const CHUNK_BYTES = 256 * 1024;
const KEY_PATTERN = /^[a-z0-9]+\/[a-f0-9]{24}\.[a-z]{2,4}$/;

export function isArtifactKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function newArtifactKey(attemptId: string, extension: string): string {
  const key = `${attemptId}/${randomBytes(12).toString("hex")}.${extension}`;
  if (!isArtifactKey(key)) throw new Error(`Invalid artifact key: ${key}`);
  return key;
}

/** Cuts whatever pieces a source yields into chunks of exactly CHUNK_BYTES (the last one shorter). */
async function* rechunk(source: Uint8Array | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    for (let start = 0; start < source.length; start += CHUNK_BYTES) yield source.subarray(start, start + CHUNK_BYTES);
    return;
  }
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let rest = piece;
    while (pendingBytes + rest.length >= CHUNK_BYTES) {
      const take = CHUNK_BYTES - pendingBytes;
      yield Buffer.concat([...pending, rest.subarray(0, take)]);
      rest = rest.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

export function createDatabaseArtifactStore(): ArtifactStore {
  const checked = (key: string) => {
    if (!isArtifactKey(key)) throw new Error(`Invalid artifact key: ${key}`);
    return key;
  };
  return {
    async write(key, source) {
      await db().artifactBlob.create({ data: { key: checked(key) } });
      let seq = 0;
      let size = 0;
      for await (const chunk of rechunk(source)) {
        await db().artifactChunk.create({ data: { key, seq, bytes: new Uint8Array(chunk) } });
        seq += 1;
        size += chunk.length;
      }
      return size;
    },
    async *read(key) {
      checked(key);
      // One chunk per query: a reader that stops early (a closed browser tab) stops the reads too.
      for (let seq = 0; ; seq += 1) {
        const chunk = await db().artifactChunk.findUnique({ where: { key_seq: { key, seq } }, select: { bytes: true } });
        if (chunk) {
          yield chunk.bytes;
          continue;
        }
        if (seq === 0 && !(await db().artifactBlob.findUnique({ where: { key }, select: { key: true } }))) throw new ArtifactBytesMissing(key);
        return;
      }
    },
    async remove(key) {
      await db().artifactBlob.deleteMany({ where: { key: checked(key) } });
    },
    async list() {
      const rows = await db().artifactBlob.findMany({ select: { key: true, createdAt: true } });
      return rows.map((row) => ({ key: row.key, writtenAt: row.createdAt }));
    },
  };
}

/** All the bytes of a key in one buffer, for callers that need the whole picture (comparing PNGs). */
export async function readWhole(store: ArtifactStore, key: string): Promise<Buffer> {
  const pieces: Uint8Array[] = [];
  for await (const piece of store.read(key)) pieces.push(piece);
  return Buffer.concat(pieces);
}
