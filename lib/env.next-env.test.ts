// scripts/web/server.ts keeps the model key out of the web process by loading only the web's variables
// from .env and marking the environment as processed, so that Next.js does not load the whole file.
// This pins the Next.js behaviour that relies on: @next/env skips .env files once the flag is set.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadEnvConfig } from "@next/env";
import { afterEach, describe, expect, it } from "vitest";

const dir = mkdtempSync(path.join(tmpdir(), "patchbay-next-env-"));
writeFileSync(path.join(dir, ".env"), "PATCHBAY_PLANTED_NEXT_ENV=from-dotenv\n");
const saved = process.env.__NEXT_PROCESSED_ENV;

afterEach(() => {
  delete process.env.PATCHBAY_PLANTED_NEXT_ENV;
  if (saved === undefined) delete process.env.__NEXT_PROCESSED_ENV;
  else process.env.__NEXT_PROCESSED_ENV = saved;
});

describe("@next/env", () => {
  it("loads nothing from .env once the environment is marked processed", () => {
    process.env.__NEXT_PROCESSED_ENV = "true";
    loadEnvConfig(dir, false, { info: () => undefined, error: () => undefined });
    expect(process.env.PATCHBAY_PLANTED_NEXT_ENV).toBeUndefined();
    // The control: the same file is loaded when Next.js processes it.
    delete process.env.__NEXT_PROCESSED_ENV;
    loadEnvConfig(dir, false, { info: () => undefined, error: () => undefined }, true);
    expect(process.env.PATCHBAY_PLANTED_NEXT_ENV).toBe("from-dotenv");
    rmSync(dir, { recursive: true, force: true });
  });
});
