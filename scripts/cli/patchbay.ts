// `npm run patchbay -- <command>`: administration from the shell.
//   token create --email <email> [--name <label>]   prints a new API token as its last line
//   user create --email <email> --role <role>       password from PATCHBAY_NEW_USER_PASSWORD
//   user role --email <email> --role <role>         changes a role; refuses to demote the last admin
//   apply-patch [--cwd DIR] < patch.txt             applies a Codex-format patch to a directory
//   setup                                           applies migrations, creates the admin from env
import { parseArgs } from "node:util";
import { createApiToken } from "@/lib/auth/api-tokens";
import { createPerson, ROLES, setRoleAsOperator } from "@/lib/auth/people";
import { ensureAdmin, findOrCreateUser } from "@/lib/auth/users";
import { disconnectDb } from "@/lib/db";
import { loadDatabaseUrl, webEnv } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { applyMigrations } from "@/scripts/db/run-migrations";
import { applyPatchCommand } from "./apply-patch-command";

const USAGE = `usage: npm run patchbay -- <command>
  token create --email <email> [--name <label>]
  user create --email <email> --role <${ROLES.join("|")}>   (password from PATCHBAY_NEW_USER_PASSWORD)
  user role --email <email> --role <${ROLES.join("|")}>
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

function emailAndRole(command: string, argv: string[]): { email: string; role: string } | null {
  const { values } = parseArgs({ args: argv, options: { email: { type: "string" }, role: { type: "string" } }, strict: true });
  if (values.email && values.role) return { email: values.email, role: values.role };
  console.error(`${command} needs --email and --role\n${USAGE}`);
  return null;
}

// The password comes from the environment, never argv: arguments are visible to every user in `ps`.
async function userCreate(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = emailAndRole("user create", argv);
  if (!args) return 2;
  const password = env.PATCHBAY_NEW_USER_PASSWORD;
  if (!password) {
    console.error("user create reads the new password from PATCHBAY_NEW_USER_PASSWORD; set it (not as an argument).");
    return 2;
  }
  const person = await createPerson({ ...args, password });
  console.log(`created ${person.email} (${person.role})`);
  return 0;
}

async function userRole(argv: string[]): Promise<number> {
  const args = emailAndRole("user role", argv);
  if (!args) return 2;
  const person = await setRoleAsOperator(args.email, args.role);
  console.log(`${person.email} is now ${person.role}`);
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
    case "user":
      if (rest[0] === "create") return userCreate(rest.slice(1), process.env);
      if (rest[0] === "role") return userRole(rest.slice(1));
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
