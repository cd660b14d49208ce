// Runs `prisma generate` offline. Prisma 7's CLI tries to download its native schema engine even for
// generate, which does not use it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file stops that.
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
execFileSync(path.join(root, "node_modules/.bin/prisma"), ["generate"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
});
