// An environment's repository credential: an HTTPS token or an ssh deploy key. Write-only like secrets:
// sealed with PATCHBAY_SECRETS_KEY when saved, shown as its kind (and user name) only, and opened by the
// worker on the host for the mirror fetch alone; it never reaches a sandbox.
import { z } from "zod";
import { AppError } from "@/lib/errors";
import type { RepoUrlKind } from "@/lib/git-refs";
import { openSecret, sealedSecretSchema, sealSecret, secretsKey } from "@/lib/secrets/secret-box";

// The name the sealed value is bound to (AES-GCM associated data), so it cannot pass for a setup secret.
const SEALED_NAME = "repoCredential";

/** A basic-auth user name as git sends it: printable, no spaces, no ':' (which would end the name). */
export const basicAuthUsernameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x39\x3b-\x7e]+$/, "The user name must be printable ASCII without spaces or ':'.");

/** A token as git and forge APIs take it in a header. */
export const accessTokenSchema = z
  .string()
  .trim()
  .min(8, "The token must have at least 8 characters.")
  .max(4096)
  .regex(/^[\x21-\x7e]+$/, "The token must be printable ASCII without spaces.");

const tokenCredentialSchema = z.strictObject({
  kind: z.literal("token"),
  /** Basic-auth user name; "x-access-token" (what GitHub expects) when omitted. Some hosts want the account name. */
  username: basicAuthUsernameSchema.optional(),
  token: accessTokenSchema,
});

const deployKeyCredentialSchema = z.strictObject({
  kind: z.literal("deployKey"),
  privateKey: z
    .string()
    .max(16 * 1024, "The private key is at most 16 KiB.")
    .transform((value) => `${value.replace(/\r\n?/g, "\n").trim()}\n`)
    .superRefine((value, ctx) => {
      const problem = privateKeyProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
});

export const repoCredentialSchema = z.discriminatedUnion("kind", [tokenCredentialSchema, deployKeyCredentialSchema]);
export type RepoCredential = z.infer<typeof repoCredentialSchema>;
export type RepoCredentialInput = z.input<typeof repoCredentialSchema>;

/** What the API and the page show: never the token or the key. */
export type RepoCredentialSummary = { kind: "token"; username?: string } | { kind: "deployKey" };

const storedRepoCredentialSchema = z.strictObject({
  kind: z.enum(["token", "deployKey"]),
  username: z.string().optional(),
  sealed: sealedSecretSchema,
});
export type StoredRepoCredential = z.infer<typeof storedRepoCredentialSchema>;

export const DEFAULT_TOKEN_USERNAME = "x-access-token";

/** The stored form: kind and user name in the clear (for the summary), the whole credential sealed. */
export function sealRepoCredential(keyText: string | undefined, credential: RepoCredential): StoredRepoCredential {
  const sealed = sealSecret(secretsKey(keyText), SEALED_NAME, JSON.stringify(credential));
  return { kind: credential.kind, ...(credential.kind === "token" && credential.username ? { username: credential.username } : {}), sealed };
}

export function repoCredentialSummary(stored: unknown): RepoCredentialSummary | null {
  const parsed = storedRepoCredentialSchema.safeParse(stored);
  if (!parsed.success) return null;
  if (parsed.data.kind === "deployKey") return { kind: "deployKey" };
  return parsed.data.username ? { kind: "token", username: parsed.data.username } : { kind: "token" };
}

/** The credential in the clear, or null when the environment has none. Only the worker calls this. */
export function openRepoCredential(stored: unknown, keyText: string | undefined): RepoCredential | null {
  if (stored === null || stored === undefined) return null;
  const parsed = storedRepoCredentialSchema.safeParse(stored);
  // A credential that was set but cannot be read must not silently turn into an anonymous fetch.
  if (!parsed.success) throw unreadable();
  const opened = repoCredentialSchema.safeParse(parseJson(openSecret(secretsKey(keyText), SEALED_NAME, parsed.data.sealed)));
  if (!opened.success || opened.data.kind !== parsed.data.kind) throw unreadable();
  return opened.data;
}

/** Tokens go with http(s) URLs and deploy keys with ssh; a file:// repository takes neither. */
export function credentialMismatch(urlKind: RepoUrlKind, credentialKind: RepoCredential["kind"]): string | null {
  if (credentialKind === "token" && (urlKind === "https" || urlKind === "http")) return null;
  if (credentialKind === "deployKey" && urlKind === "ssh") return null;
  if (urlKind === "file") return "A file:// repository takes no credential; remove repoCredential (null).";
  return credentialKind === "token"
    ? "A token credential works with https:// repository URLs only; use a deployKey for an ssh URL."
    : "A deploy key works with ssh repository URLs (git@host:owner/repo.git) only; use a token for an https:// URL.";
}

function unreadable(): AppError {
  return new AppError("secrets_unavailable", "The repository credential stored on this environment cannot be read. Set it again on the environment.");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Why a pasted key cannot be used, or null. ssh runs with BatchMode, so a key with a passphrase would fail
 * at every fetch: refuse it now. OpenSSH keys name their cipher ("none" = no passphrase) in the key itself.
 */
export function privateKeyProblem(key: string): string | null {
  if (/^(ssh-|ecdsa-|sk-)\S+ AAAA/.test(key)) return "This is a public key; paste the private key (the file without .pub).";
  const pem = /^-----BEGIN ((?:OPENSSH|RSA|EC|DSA|ENCRYPTED) )?PRIVATE KEY-----\n([\s\S]+?)\n-----END \1?PRIVATE KEY-----\n$/.exec(key);
  if (!pem) return "The deploy key must be a private key in OpenSSH format (-----BEGIN OPENSSH PRIVATE KEY----- … -----END OPENSSH PRIVATE KEY-----).";
  const type = pem[1]?.trim();
  const body = pem[2] ?? "";
  if (type === "ENCRYPTED" || /Proc-Type:.*ENCRYPTED/.test(body)) return passphraseProblem();
  if (type !== "OPENSSH") return null;
  const bytes = Buffer.from(body.replace(/\s+/g, ""), "base64");
  const magic = "openssh-key-v1\0";
  if (bytes.subarray(0, magic.length).toString("latin1") !== magic || bytes.length < magic.length + 4)
    return "The deploy key is not a valid OpenSSH private key.";
  const cipherLength = bytes.readUInt32BE(magic.length);
  const cipher = bytes.subarray(magic.length + 4, magic.length + 4 + cipherLength).toString("latin1");
  return cipher === "none" ? null : passphraseProblem();
}

function passphraseProblem(): string {
  return "The deploy key is protected by a passphrase, which Patchbay cannot type. Use a key without a passphrase made for this repository only (ssh-keygen -t ed25519 -N '').";
}
