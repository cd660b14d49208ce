// `npm run patchbay -- <command>`: administration from the shell.
//   token create --email <email> [--name <label>]   prints a new API token as its last line
//   apply-patch [--cwd DIR] < patch.txt             applies a Codex-format patch to a directory
//   setup                                           applies migrations, creates the admin from env
import { parseArgs } from "node:util";
import { createApiToken } from "@/lib/auth/api-tokens";
import { ensureAdmin, findOrCreateUser } from "@/lib/auth/users";
import { disconnectDb } from "@/lib/db";
import { loadDatabaseUrl, webEnv } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { applyMigrations } from "@/scripts/db/run-migrations";
import { applyPatchCommand } from "./apply-patch-command";

const USAGE = `usage: npm run patchbay -- <command>
  token create --email <email> [--name <label>]
  apply-patch [--cwd DIR] < patch.txt
  setup`;

async function tokenCreate(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { email: { type: "string" }, name: { type: "string" } }, strict: true });
  if (!values.email) {
    console.error(`token create needs --email\n${USAGE}`);
    return 2;
  }
  const user = await findOrCreateUser(values.email);
  const token = await createApiToken(user.id, values.name);
  console.log(`API token for ${user.email} (${user.role}). Keep it secret; it is shown only once:`);
  console.log(token);
  return 0;
}

async function setup(): Promise<number> {
  const applied = await applyMigrations(loadDatabaseUrl(), (line) => console.log(line));
  console.log(applied.length ? `applied ${applied.length} migration(s)` : "database is up to date");
  const env = webEnv();
  if (env.PATCHBAY_ADMIN_EMAIL && env.PATCHBAY_ADMIN_PASSWORD) {
    const { created } = await ensureAdmin(env.PATCHBAY_ADMIN_EMAIL, env.PATCHBAY_ADMIN_PASSWORD);
    if (created) console.log(`created admin ${env.PATCHBAY_ADMIN_EMAIL}`);
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "token":
      if (rest[0] === "create") return tokenCreate(rest.slice(1));
      break;
    case "apply-patch":
      return applyPatchCommand(rest, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
    case "setup":
      return setup();
    default:
      break;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2))
  .then(async (code) => {
    await disconnectDb();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(isAppError(error) ? error.userMessage : error instanceof Error ? error.message : error);
    await disconnectDb().catch(() => undefined);
    process.exit(1);
  });
