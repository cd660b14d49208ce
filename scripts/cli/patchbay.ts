// `npm run patchbay -- <command>`: administration and copy from the shell.
//   token create --email <email> [--name <label>] [--expires-in-days <N|never>]
//                                                   prints a new API token as its last line (default: 90 days)
//   token list --email <email>                      a person's tokens, revoked and expired ones included
//   token revoke --id <token id>                    revokes anyone's token (the operator's override)
//   user create --email <email> --role <role>       password from PATCHBAY_NEW_USER_PASSWORD
//   user role --email <email> --role <role>         changes a role; refuses to demote the last admin
//   apply-patch [--cwd DIR] < patch.txt             applies a Codex-format patch to a directory
//   copy list --repo DIR [--ref REF] [--json] [--all-languages]   the repository's user-facing strings at REF (default HEAD)
//   copy apply --repo DIR --edits edits.json [--ref REF]
//                                                   applies copy edits with a copy task's checks to DIR's working tree
//   task create --env ID [--branch B] [--watch] PROMPT   submits a task through the API (PATCHBAY_URL, PATCHBAY_TOKEN)
//   task watch TASK_ID                              prints a task's timeline until it ends (exit 0 when it completed)
//   task pr TASK_ID [--no-wait]                     opens the task's pull request and prints its link
//   setup                                           applies migrations, creates the admin from env
import { DEFAULT_EXPIRES_IN_DAYS } from "@/lib/auth/api-token.schemas";
import type { Role } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { applyPatchCommand } from "./apply-patch-command";

// Nothing above reads the environment or touches the database: the commands that do (token, user, setup)
// are in ./admin-commands, loaded only when one of them runs, so copy and apply-patch work in a plain
// checkout (no .env, no database, no generated Prisma client). The roles are spelled out for the same
// reason; `satisfies` fails the typecheck when they drift from the schema's. ./copy-command (the copy
// extractor and the TypeScript compiler) is loaded only for copy, too.
const ROLES = Object.keys({ admin: 0, engineer: 0, copywriter: 0 } satisfies Record<Role, 0>);

const USAGE = `usage: npm run patchbay -- <command>
  token create --email <email> [--name <label>] [--expires-in-days <N|never>]   (default ${DEFAULT_EXPIRES_IN_DAYS} days)
  token list --email <email>
  token revoke --id <token id>
  user create --email <email> --role <${ROLES.join("|")}>   (password from PATCHBAY_NEW_USER_PASSWORD)
  user role --email <email> --role <${ROLES.join("|")}>
  apply-patch [--cwd DIR] < patch.txt
  copy list --repo DIR [--ref REF] [--json] [--all-languages]
  copy apply --repo DIR --edits edits.json [--ref REF]
  task create --env ENVIRONMENT_ID [--branch BRANCH] [--watch] PROMPT...   (PATCHBAY_URL, PATCHBAY_TOKEN)
  task watch TASK_ID
  task pr TASK_ID [--no-wait]
  setup`;

type AdminCommands = typeof import("./admin-commands");

/** Runs a command of ./admin-commands and closes its database connection, whatever happens. */
async function withDatabase(run: (admin: AdminCommands) => Promise<number>): Promise<number> {
  const admin = await import("./admin-commands");
  try {
    return await run(admin);
  } finally {
    await admin.disconnectDb().catch(() => undefined);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = rest.slice(1);
  switch (command) {
    case "token":
      if (rest[0] === "create") return withDatabase((admin) => admin.tokenCreate(args, USAGE));
      if (rest[0] === "list") return withDatabase((admin) => admin.tokenList(args, USAGE));
      if (rest[0] === "revoke") return withDatabase((admin) => admin.tokenRevoke(args, USAGE));
      break;
    case "user":
      if (rest[0] === "create") return withDatabase((admin) => admin.userCreate(args, USAGE, process.env));
      if (rest[0] === "role") return withDatabase((admin) => admin.userRole(args, USAGE));
      break;
    case "setup":
      return withDatabase((admin) => admin.setup());
    case "apply-patch":
      return applyPatchCommand(rest, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
    case "task": {
      const { taskCommand } = await import("./task-command");
      return taskCommand(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    }
    case "copy": {
      const { copyCommand } = await import("./copy-command");
      return copyCommand(rest, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
    }
    default:
      break;
  }
  console.error(USAGE);
  return 2;
}

/** Exits once stdout and stderr are flushed: on a pipe they may be asynchronous (macOS), and `copy list --json` can be long. */
function exit(code: number): void {
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

main(process.argv.slice(2))
  .then(exit)
  .catch((error: unknown) => {
    console.error(isAppError(error) ? error.userMessage : error instanceof Error ? error.message : error);
    exit(1);
  });
