// The token the worker pushes and calls the forge with: the connection's own, or for a GitHub App
// installation a fresh installation token. @octokit/auth-app signs a JWT with the app's private key and
// exchanges it (POST /app/installations/{id}/access_tokens); the token lasts an hour and is kept, in this
// process only, until shortly before it expires, so the minute-by-minute refresh does not mint one each time.
import { createHash } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { request } from "@octokit/request";
import { AppError } from "@/lib/errors";
import { type ForgeConnection, forgeApiBase } from "@/lib/forge/forge-connection";
import { forgeProblem, isTimeout } from "./forge-problem";

export type OpenedForge = ForgeConnection & { token: string };

/**
 * auth-app's cache of installation tokens, shared by every call in this worker. auth-app does not look at a
 * cached token's expiry (its own cache drops entries after 59 minutes): this one hands out a token only
 * while it has more than EXPIRY_MARGIN_MS left, so a fresh one is asked for before GitHub refuses the old.
 */
const installationTokens = new Map<string, string>();
const EXPIRY_MARGIN_MS = 5 * 60_000;

/** auth-app stores "token|createdAt|expiresAt|…"; an entry close to its expiry counts as missing. */
function unexpired(entry: string | undefined): string {
  const expiresAt = Date.parse(entry?.split("|")[2] ?? "");
  return entry && expiresAt - Date.now() > EXPIRY_MARGIN_MS ? entry : "";
}

export async function withForgeToken(connection: ForgeConnection, options: { timeoutMs: number; fetch?: typeof fetch }): Promise<OpenedForge> {
  if (connection.token) return { ...connection, token: connection.token };
  const app = connection.app;
  if (!app) throw new AppError("bad_request", "The environment's remote has no token. Connect it again on the environment page.");
  const apiBase = forgeApiBase(connection) ?? "https://api.github.com";
  // auth-app's keys name the installation only: a token is kept for this host, app and key alone, so an
  // environment with another (say, revoked) key never gets a token minted with the right one.
  const scope = `${apiBase} ${app.id} ${createHash("sha256").update(app.privateKey).digest("hex")}`;
  const auth = createAppAuth({
    appId: app.id,
    privateKey: app.privateKey,
    installationId: app.installationId,
    cache: {
      get: (key: string) => unexpired(installationTokens.get(`${scope} ${key}`)),
      set: (key: string, value: string) => installationTokens.set(`${scope} ${key}`, value),
    },
    request: request.defaults({
      baseUrl: apiBase,
      headers: { "user-agent": "patchbay" },
      request: { ...(options.fetch ? { fetch: options.fetch } : {}), signal: AbortSignal.timeout(options.timeoutMs) },
    }),
  });
  try {
    const { token } = await auth({ type: "installation" });
    return { ...connection, token };
  } catch (error) {
    throw installationProblem(error, { ...app, apiBase, timeoutMs: options.timeoutMs });
  }
}

function installationProblem(error: unknown, app: { id: number; installationId: number; apiBase: string; timeoutMs: number }): AppError {
  const status = (error as { status?: number }).status;
  const cause = { cause: error };
  if (status === 401) {
    return new AppError(
      "repo_unreachable",
      `GitHub refused the signature of app ${app.id} (401). Check the App ID and that the private key is one of the app's current keys.`,
      cause,
    );
  }
  if (status === 404) {
    return new AppError(
      "repo_unreachable",
      `GitHub has no installation ${app.installationId} of app ${app.id} (404). Install the app on the repository's owner and use that installation's number.`,
      cause,
    );
  }
  const detail = (error as { response?: { data?: { message?: string } } }).response?.data?.message ?? "";
  return forgeProblem({
    forge: "GitHub",
    what: `give app ${app.id} an installation token`,
    repository: `installation ${app.installationId}`,
    apiBase: app.apiBase,
    timeoutMs: app.timeoutMs,
    status,
    detail,
    permissions: '"Contents", "Pull requests" and, for webhook replies, "Issues" set to read and write',
    timedOut: isTimeout(error),
    error,
  });
}
