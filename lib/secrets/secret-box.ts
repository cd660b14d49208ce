// Environment secrets at rest: AES-256-GCM with a key that lives in the process environment
// (PATCHBAY_SECRETS_KEY), never in the database. The web seals what a person types; only the worker
// opens them, right before the setup phase.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { z } from "zod";
import { AppError } from "@/lib/errors";

export const sealedSecretSchema = z.strictObject({ v: z.literal(1), iv: z.string(), tag: z.string(), data: z.string() });
export type SealedSecret = z.infer<typeof sealedSecretSchema>;
export const sealedSecretsSchema = z.record(z.string(), sealedSecretSchema);
export type SealedSecrets = z.infer<typeof sealedSecretsSchema>;

/** The 32-byte key from its base64/base64url text form; a clear error when it is missing or malformed. */
export function secretsKey(text: string | undefined): Buffer {
  if (!text) {
    throw new AppError(
      "secrets_unavailable",
      "PATCHBAY_SECRETS_KEY is not set, so secrets cannot be stored or used. `npm start` writes one into .env; set the same value for the web app and every worker.",
    );
  }
  const key = Buffer.from(text, "base64url");
  if (key.length !== 32) throw new AppError("secrets_unavailable", "PATCHBAY_SECRETS_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`).");
  return key;
}

/** Seals one value; the secret's name is bound as associated data, so a value cannot be moved to another name. */
export function sealSecret(key: Buffer, name: string, value: string): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(name, "utf8"));
  const data = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  return { v: 1, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), data: data.toString("base64") };
}

export function openSecret(key: Buffer, name: string, sealed: SealedSecret): string {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
    decipher.setAAD(Buffer.from(name, "utf8"));
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64")), decipher.final()]).toString("utf8");
  } catch (error) {
    throw new AppError(
      "secrets_unavailable",
      `The secret ${name} cannot be decrypted with this worker's PATCHBAY_SECRETS_KEY (a different key than the web app's?). Set the same key everywhere, or enter the secret again.`,
      { cause: error },
    );
  }
}

/** Stored JSON as sealed secrets; anything malformed counts as no secrets rather than failing a read. */
export function parseStoredSecrets(value: unknown): SealedSecrets {
  const parsed = sealedSecretsSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}
