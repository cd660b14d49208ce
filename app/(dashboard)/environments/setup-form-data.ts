// Turns the environment forms' setup fields into setup input (validated later by its schemas): scripts,
// NAME=value lines, secret rows and removals, the network policy and cache-key globs.
import { z } from "zod";
import type { EnvironmentDto, UpdateEnvironmentInput } from "@/lib/environments/environment.schemas";
import { NODE_VERSIONS, networkPolicySchema } from "@/lib/environments/setup-config";
import { AppError } from "@/lib/errors";
import { formText } from "@/lib/http/form-fields";

type SetupInput = Pick<UpdateEnvironmentInput, "nodeVersion" | "setupScript" | "maintenanceScript" | "env" | "secrets" | "network" | "cacheKeyFiles">;

const nodeVersionSchema = z.enum(NODE_VERSIONS, { error: "Node.js version must be 20 or 22." });

/** Browsers send textarea lines with CRLF; a `\r` left in a shell script breaks its commands. */
function text(form: FormData, name: string): string {
  return formText(form, name).replace(/\r\n?/g, "\n");
}

export function lines(value: string): string[] {
  return value
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * One NAME=value per line; blank lines and # comments are skipped. A value that starts with a double quote
 * is read as a JSON string, so values with line breaks survive the round trip through the textarea.
 */
export function envFromLines(value: string): Record<string, string> {
  const vars: Record<string, string> = {};
  value.split("\n").forEach((line, index) => {
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const equals = line.indexOf("=");
    const name = equals > 0 ? line.slice(0, equals).trim() : "";
    if (!name) throw new AppError("bad_request", `Variables, line ${index + 1}: write NAME=value.`);
    // The value is kept as typed, spaces included.
    vars[name] = unquote(line.slice(equals + 1), index + 1);
  });
  return vars;
}

function unquote(value: string, lineNumber: number): string {
  if (!value.startsWith('"')) return value;
  try {
    const parsed: unknown = JSON.parse(value.trimEnd());
    if (typeof parsed === "string") return parsed;
  } catch {
    // Reported below with the line number.
  }
  throw new AppError("bad_request", `Variables, line ${lineNumber}: a value starting with " must be a complete JSON string, e.g. "two\\nlines".`);
}

/** The inverse of envFromLines, for showing stored variables in the textarea. */
export function envToLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${/[\n\r]/.test(value) || value.startsWith('"') ? JSON.stringify(value) : value}`)
    .join("\n");
}

/** New secrets from the name/value rows, and null for each ticked "Remove"; undefined when nothing changes. */
export function secretsFromForm(form: FormData): Record<string, string | null> | undefined {
  const secrets: Record<string, string | null> = {};
  for (const name of form.getAll("removeSecret")) {
    if (typeof name === "string" && name) secrets[name] = null;
  }
  const values = form.getAll("secretValue");
  form.getAll("secretName").forEach((rawName, index) => {
    const name = typeof rawName === "string" ? rawName.trim() : "";
    const value = values[index];
    const secret = typeof value === "string" ? value : "";
    if (!name && !secret) return;
    if (!name) throw new AppError("bad_request", "Give each new secret a name.");
    if (!secret) throw new AppError("bad_request", `Enter a value for the secret ${name}.`);
    secrets[name] = secret;
  });
  return Object.keys(secrets).length > 0 ? secrets : undefined;
}

function nodeVersionFromForm(form: FormData) {
  return nodeVersionSchema.parse(form.get("nodeVersion") ?? "20");
}

/** The create form's compact setup section: script, Node.js version and secrets. */
export function newSetupFromForm(form: FormData): SetupInput {
  const setupScript = text(form, "setupScript");
  const secrets = secretsFromForm(form);
  return {
    nodeVersion: nodeVersionFromForm(form),
    ...(setupScript.trim() ? { setupScript } : {}),
    ...(secrets ? { secrets } : {}),
  };
}

/** The environment page's full setup form; every field replaces the stored one, secrets merge per name. */
export function setupFromForm(form: FormData): SetupInput {
  const secrets = secretsFromForm(form);
  return {
    nodeVersion: nodeVersionFromForm(form),
    setupScript: text(form, "setupScript"),
    maintenanceScript: text(form, "maintenanceScript"),
    env: envFromLines(text(form, "env")),
    ...(secrets ? { secrets } : {}),
    network: { agent: networkPolicySchema.shape.agent.parse(form.get("networkAgent") ?? undefined), allow: lines(text(form, "networkAllow")) },
    cacheKeyFiles: lines(text(form, "cacheKeyFiles")),
  };
}

/** What the environment page's setup form starts with: the stored settings as text, secrets as names only. */
export type SetupFormValues = {
  setupScript: string;
  maintenanceScript: string;
  nodeVersion: string;
  env: string;
  networkAgent: string;
  networkAllow: string;
  cacheKeyFiles: string;
  checkCommand: string;
  workerLabels: string;
};

export function setupFormValues(environment: EnvironmentDto): SetupFormValues {
  return {
    setupScript: environment.setupScript ?? "",
    maintenanceScript: environment.maintenanceScript ?? "",
    nodeVersion: environment.nodeVersion,
    env: envToLines(environment.env),
    networkAgent: environment.network.agent,
    networkAllow: environment.network.allow.join("\n"),
    cacheKeyFiles: environment.cacheKeyFiles.join("\n"),
    checkCommand: environment.checkCommand ?? "",
    workerLabels: environment.workerLabels.join(", "),
  };
}
