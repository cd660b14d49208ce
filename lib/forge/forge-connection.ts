// An environment's forge connection: where Patchbay pushes a task's branch and opens its pull request.
// Write-only like the repository credential: the token is sealed with PATCHBAY_SECRETS_KEY when saved,
// the API shows the kind, URL and user name only, and the worker opens it on the host to push and to
// call the forge's API. It never reaches a sandbox.
import { createPrivateKey } from "node:crypto";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { parseRepoUrl } from "@/lib/git-refs";
import { accessTokenSchema, basicAuthUsernameSchema } from "@/lib/repos/repo-credential";
import { openSecret, sealedSecretSchema, sealSecret, secretsKey } from "@/lib/secrets/secret-box";

import { FORGE_KINDS, type ForgeKind, forgeName } from "./forge-kinds";

export { FORGE_KINDS, type ForgeKind, forgeName } from "./forge-kinds";

// The names the sealed token or app key is bound to (AES-GCM associated data), so neither can pass for
// another secret, nor one for the other.
const SEALED_TOKEN = "forgeToken";
const SEALED_APP_KEY = "forgeAppKey";

/** A PEM private key that node can read: what GitHub downloads for an app ("Generate a private key"). */
function isPrivateKey(text: string): boolean {
  try {
    return createPrivateKey(text).asymmetricKeyType === "rsa";
  } catch {
    return false;
  }
}

/**
 * A GitHub App installation: the worker signs a short JWT with the app's private key and exchanges it for
 * an installation token (valid one hour) each time it needs one, so no long-lived token is stored.
 */
const githubAppSchema = z.strictObject({
  /** The App ID on the app's settings page. */
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31),
  /** The number at the end of the installation's settings address (…/settings/installations/<id>). */
  installationId: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 53),
  privateKey: z
    .string()
    .trim()
    .max(16_000)
    .refine(isPrivateKey, "The private key must be the app's PEM file as GitHub downloads it (-----BEGIN RSA PRIVATE KEY----- …)."),
});

export const forgeConnectionSchema = z
  .strictObject({
    kind: z.enum(FORGE_KINDS),
    /**
     * github/gitlab/gitea: the API base URL, empty for the public service (GitHub Enterprise:
     * https://host/api/v3; GitLab: https://host; Gitea/Forgejo: https://host). git: the push URL.
     */
    url: z.string().trim().max(2000).default(""),
    /** A token, or for GitHub an app installation (`app`) instead. */
    token: accessTokenSchema.optional(),
    app: githubAppSchema.optional(),
    /** Basic-auth user name for pushing over https; each kind has a default that its forge accepts. */
    username: basicAuthUsernameSchema.optional(),
  })
  .superRefine((value, ctx) => {
    const problem = urlProblem(value.kind, value.url);
    if (problem) ctx.addIssue({ code: "custom", path: ["url"], message: problem });
    if (value.app && value.kind !== "github") ctx.addIssue({ code: "custom", path: ["app"], message: "A GitHub App connects GitHub only; give a token." });
    else if (value.app && value.token) ctx.addIssue({ code: "custom", path: ["token"], message: "Give a token or a GitHub App installation, not both." });
    else if (!value.app && !value.token) {
      const what = value.kind === "github" ? "A token (or a GitHub App installation)" : "A token";
      ctx.addIssue({ code: "custom", path: ["token"], message: `${what} is needed to push and to open pull requests.` });
    }
  });
export type ForgeConnection = z.infer<typeof forgeConnectionSchema>;
export type ForgeConnectionInput = z.input<typeof forgeConnectionSchema>;

/** What the API and the page show: never the token or the app's key. */
export type ForgeSummary = { kind: ForgeKind; url: string; username?: string; app?: { id: number; installationId: number } };

const storedForgeSchema = z.strictObject({
  kind: z.enum(FORGE_KINDS),
  url: z.string(),
  username: z.string().optional(),
  /** With `app`, `sealed` holds the app's private key; without, the token. */
  app: z.strictObject({ id: z.number(), installationId: z.number() }).optional(),
  sealed: sealedSecretSchema,
});

/** The public services an empty `url` means. Gitea has none: a Gitea connection always names its server. */
const PUBLIC_API: Partial<Record<ForgeKind, string>> = { github: "https://api.github.com", gitlab: "https://gitlab.com" };

/** The user names each forge accepts with a token as the password over https. */
const DEFAULT_PUSH_USERNAME: Record<ForgeKind, string> = { github: "x-access-token", gitlab: "oauth2", gitea: "oauth2", git: "git" };

function urlProblem(kind: ForgeKind, url: string): string | null {
  if (url === "") {
    if (kind === "git") return "A git remote needs its push URL (https://host/owner/repo.git).";
    if (kind === "gitea") return "Gitea and Forgejo have no public service to default to: give your server's URL (https://gitea.example.com).";
    return null;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL.`;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return "The URL must start with https:// (http:// only in local development mode).";
  if (parsed.username || parsed.password) return "Put the user name and token in their own fields, not in the URL.";
  return null;
}

export function sealForgeConnection(keyText: string | undefined, connection: ForgeConnection) {
  const { app } = connection;
  const sealed = app ? sealSecret(secretsKey(keyText), SEALED_APP_KEY, app.privateKey) : sealSecret(secretsKey(keyText), SEALED_TOKEN, connection.token ?? "");
  return {
    kind: connection.kind,
    url: connection.url,
    ...(connection.username ? { username: connection.username } : {}),
    ...(app ? { app: { id: app.id, installationId: app.installationId } } : {}),
    sealed,
  };
}

export function forgeSummary(stored: unknown): ForgeSummary | null {
  const parsed = storedForgeSchema.safeParse(stored);
  if (!parsed.success) return null;
  const { kind, url, username, app } = parsed.data;
  return { kind, url, ...(username ? { username } : {}), ...(app ? { app } : {}) };
}

/** The connection in the clear, or null when the environment has none. Only the worker calls this. */
export function openForgeConnection(stored: unknown, keyText: string | undefined): ForgeConnection | null {
  if (stored === null || stored === undefined) return null;
  const parsed = storedForgeSchema.safeParse(stored);
  if (!parsed.success) {
    throw new AppError("secrets_unavailable", "The forge connection stored on this environment cannot be read. Connect the remote again on the environment.");
  }
  const { kind, url, username, app, sealed } = parsed.data;
  const secret = openSecret(secretsKey(keyText), app ? SEALED_APP_KEY : SEALED_TOKEN, sealed);
  return forgeConnectionSchema.parse({
    kind,
    url,
    ...(app ? { app: { ...app, privateKey: secret } } : { token: secret }),
    ...(username ? { username } : {}),
  });
}

/** The forge's API base URL (no trailing slash); null for a plain git remote. */
export function forgeApiBase(connection: Pick<ForgeConnection, "kind" | "url">): string | null {
  if (connection.kind === "git") return null;
  const url = connection.url || PUBLIC_API[connection.kind] || "";
  return url.replace(/\/+$/, "");
}

export function pushUsername(connection: Pick<ForgeConnection, "kind" | "username">): string {
  return connection.username ?? DEFAULT_PUSH_USERNAME[connection.kind];
}

/**
 * Where the branch is pushed: the git remote's own URL, or for a forge the environment's repository URL,
 * which must then be an http(s) URL (the token authenticates as a password; an ssh URL would need a key).
 */
export function pushUrl(connection: Pick<ForgeConnection, "kind" | "url">, repoUrl: string): string {
  if (connection.kind === "git") return connection.url;
  if (!/^https?:\/\//i.test(repoUrl)) {
    throw new AppError(
      "bad_request",
      `Pull requests on ${forgeName(connection.kind)} are pushed over https with the connection's token, but this environment's repository URL is ${repoUrl}. Use the repository's https:// URL.`,
    );
  }
  return repoUrl;
}

/**
 * The repository's path on its forge, from the environment's repository URL: "owner/repo" on GitHub and
 * Gitea, "group/subgroup/project" on GitLab.
 */
export function forgeRepositoryPath(repoUrl: string): string {
  const parsed = parseRepoUrl(repoUrl, { allowLocal: true });
  const pathname = parsed.kind === "file" ? "" : new URL(repoUrl.replace(/^git@([^:]+):/, "ssh://git@$1/")).pathname;
  const repoPath = decodeURIComponent(pathname)
    .replace(/^\/+|\/+$/g, "")
    .replace(/\.git$/, "");
  if (!/^[^/]+(\/[^/]+)+$/.test(repoPath)) {
    throw new AppError("bad_request", `Patchbay cannot tell the owner and repository from ${repoUrl}; it expects a URL like https://host/owner/repo.git.`);
  }
  return repoPath;
}
