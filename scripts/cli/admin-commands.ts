// The administration commands (tokens, people, setup): the only commands that read the environment and use
// the database. scripts/cli/patchbay.ts loads this module only when one of them runs, so the others (copy,
// apply-patch) work in a plain checkout with no .env, no database and no generated Prisma client.
import { parseArgs } from "node:util";
import { parseExpiresInDays } from "@/lib/auth/api-token.schemas";
import { issueApiToken, listApiTokensByEmail, revokeApiTokenAsOperator } from "@/lib/auth/api-tokens";
import { createPerson, setRoleAsOperator } from "@/lib/auth/people";
import { ensureAdmin, findOrCreateUser } from "@/lib/auth/users";
import { moveDiskArtifactsIntoDatabase } from "@/lib/artifacts/move-disk-artifacts";
import { demoReposRoot, ensureDemoRepo } from "@/lib/demo/demo-environment";
import { loadDatabaseUrl, sharedEnv, webEnv } from "@/lib/env";
import { applyMigrations } from "@/scripts/db/run-migrations";

export { disconnectDb } from "@/lib/db";

export async function tokenCreate(argv: string[], usage: string): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { email: { type: "string" }, name: { type: "string" }, "expires-in-days": { type: "string" } },
    strict: true,
  });
  if (!values.email) {
    console.error(`token create needs --email\n${usage}`);
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

export async function tokenList(argv: string[], usage: string): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { email: { type: "string" } }, strict: true });
  if (!values.email) {
    console.error(`token list needs --email\n${usage}`);
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

export async function tokenRevoke(argv: string[], usage: string): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { id: { type: "string" } }, strict: true });
  if (!values.id) {
    console.error(`token revoke needs --id (see token list)\n${usage}`);
    return 2;
  }
  const token = await revokeApiTokenAsOperator(values.id);
  console.log(`revoked API token ${token.id}${token.name ? ` "${token.name}"` : ""} of ${token.email}`);
  return 0;
}

function emailAndRole(command: string, argv: string[], usage: string): { email: string; role: string } | null {
  const { values } = parseArgs({ args: argv, options: { email: { type: "string" }, role: { type: "string" } }, strict: true });
  if (values.email && values.role) return { email: values.email, role: values.role };
  console.error(`${command} needs --email and --role\n${usage}`);
  return null;
}

// The password comes from the environment, never argv: arguments are visible to every user in `ps`.
export async function userCreate(argv: string[], usage: string, env: NodeJS.ProcessEnv): Promise<number> {
  const args = emailAndRole("user create", argv, usage);
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

export async function userRole(argv: string[], usage: string): Promise<number> {
  const args = emailAndRole("user role", argv, usage);
  if (!args) return 2;
  const person = await setRoleAsOperator(args.email, args.role);
  console.log(`${person.email} is now ${person.role}`);
  return 0;
}

export async function setup(): Promise<number> {
  const applied = await applyMigrations(loadDatabaseUrl(), (line) => console.log(line));
  console.log(applied.length ? `applied ${applied.length} migration(s)` : "database is up to date");
  // Screenshots an earlier version kept on this machine's disk move into the database (see the module).
  const dataDir = sharedEnv().PATCHBAY_DATA_DIR;
  const artifacts = await moveDiskArtifactsIntoDatabase(dataDir);
  if (artifacts.moved + artifacts.dropped > 0) {
    console.log(
      `moved ${artifacts.moved} stored screenshot(s) from ${dataDir}/artifacts into the database; deleted ${artifacts.dropped} that no task referred to`,
    );
  }
  // The demo repository is written here, by the process that may write the data directory, so that a web
  // with a read-only one (docker-compose.yml mounts it so) can still add the demo environment. Not fatal:
  // without it only "Try copy mode on the demo site" asks for a writable PATCHBAY_DATA_DIR.
  try {
    ensureDemoRepo();
  } catch (error) {
    console.warn(`could not write the demo repository under ${demoReposRoot()}: ${(error as Error).message}`);
  }
  const env = webEnv();
  if (env.PATCHBAY_ADMIN_EMAIL && env.PATCHBAY_ADMIN_PASSWORD) {
    const { created } = await ensureAdmin(env.PATCHBAY_ADMIN_EMAIL, env.PATCHBAY_ADMIN_PASSWORD);
    if (created) console.log(`created admin ${env.PATCHBAY_ADMIN_EMAIL}`);
  }
  return 0;
}
