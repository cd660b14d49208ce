// `npm run patchbay -- <command>`: administration from the shell.
//   token create --email <email> [--name <label>] [--expires-in-days <N|never>]
//                                                   prints a new API token as its last line (default: 90 days)
//   token list --email <email>                      a person's tokens, revoked and expired ones included
//   token revoke --id <token id>                    revokes anyone's token (the operator's override)
//   user create --email <email> --role <role>       password from PATCHBAY_NEW_USER_PASSWORD
//   user role --email <email> --role <role>         changes a role; refuses to demote the last admin
//   apply-patch [--cwd DIR] < patch.txt             applies a Codex-format patch to a directory
//   setup                                           applies migrations, creates the admin from env
import { parseArgs } from "node:util";
import { DEFAULT_EXPIRES_IN_DAYS, parseExpiresInDays } from "@/lib/auth/api-token.schemas";
import { issueApiToken, listApiTokensByEmail, revokeApiTokenAsOperator } from "@/lib/auth/api-tokens";
import { createPerson, ROLES, setRoleAsOperator } from "@/lib/auth/people";
import { ensureAdmin, findOrCreateUser } from "@/lib/auth/users";
import { disconnectDb } from "@/lib/db";
import { loadDatabaseUrl, webEnv } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { applyMigrations } from "@/scripts/db/run-migrations";
import { applyPatchCommand } from "./apply-patch-command";

const USAGE = `usage: npm run patchbay -- <command>
  token create --email <email> [--name <label>] [--expires-in-days <N|never>]   (default ${DEFAULT_EXPIRES_IN_DAYS} days)
  token list --email <email>
  token revoke --id <token id>
  user create --email <email> --role <${ROLES.join("|")}>   (password from PATCHBAY_NEW_USER_PASSWORD)
  user role --email <email> --role <${ROLES.join("|")}>
  apply-patch [--cwd DIR] < patch.txt
  setup`;

async function tokenCreate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { email: { type: "string" }, name: { type: "string" }, "expires-in-days": { type: "string" } },
    strict: true,
  });
  if (!values.email) {
    console.error(`token create needs --email\n${USAGE}`);
    return 2;
  }
  // Parsed before the account is looked up (or created), so a typo creates nothing.
  const days = values["expires-in-days"];
  const expiresInDays = days === undefined ? undefined : parseExpiresInDays(days);
  const user = await findOrCreateUser(values.email);
  const created = await issueApiToken(user.id, { name: values.name ?? "CLI", expiresInDays });
  const expiry = created.expiresAt ? `expires on ${created.expiresAt}` : "never expires";
  console.log(`API token "${created.name}" (id ${created.id}) for ${user.email} (${user.role}); it ${expiry}.`);
  console.log("Keep it secret; it is shown only once:");
  console.log(created.token);
  return 0;
}

async function tokenList(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { email: { type: "string" } }, strict: true });
  if (!values.email) {
    console.error(`token list needs --email\n${USAGE}`);
    return 2;
  }
  const { email, tokens } = await listApiTokensByEmail(values.email);
  if (!tokens.length) {
    console.log(`${email} has no API tokens.`);
    return 0;
  }
  console.log(["id", "name", "token", "status", "created", "expires", "last used"].join("\t"));
  for (const token of tokens) {
    const cells = [token.id, token.name ?? "-", token.hint ?? "-", token.status, token.createdAt, token.expiresAt ?? "never", token.lastUsedAt ?? "never"];
    console.log(cells.join("\t"));
  }
  return 0;
}

async function tokenRevoke(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { id: { type: "string" } }, strict: true });
  if (!values.id) {
    console.error(`token revoke needs --id (see token list)\n${USAGE}`);
    return 2;
  }
  const token = await revokeApiTokenAsOperator(values.id);
  console.log(`revoked API token ${token.id}${token.name ? ` "${token.name}"` : ""} of ${token.email}`);
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
      if (rest[0] === "list") return tokenList(rest.slice(1));
      if (rest[0] === "revoke") return tokenRevoke(rest.slice(1));
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
