// How an environment installs a real project: the setup script (run once per cache key, with network
// through the egress proxy and with the secrets), the maintenance script (run when a cached setup is
// reused), plain variables, the Node.js version, the network policy and extra cache-key files.
import { z } from "zod";

export const NODE_VERSIONS = ["20", "22"] as const;
export type NodeVersion = (typeof NODE_VERSIONS)[number];

/** Variables Patchbay sets itself in a sandbox; an environment cannot override them. */
const RESERVED_NAMES = new Set(["HOME", "PATH", "USER", "LANG", "CI", "PWD", "SHELL", "HOSTNAME"]);
const PROXY_NAMES = /^(https?|no|all|ftp)_proxy$/i;

/** Why a variable name cannot be used, or null. */
export function envNameProblem(name: string): string | null {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) return `"${name}": variable names use letters, digits and _ and do not start with a digit.`;
  if (RESERVED_NAMES.has(name) || PROXY_NAMES.test(name) || name.startsWith("PATCHBAY_")) {
    return `${name} is set by Patchbay itself (HOME, PATH, proxies, PATCHBAY_*) and cannot be overridden.`;
  }
  return null;
}

// Names are checked here rather than with a key schema, so the message names the variable.
function namedRecord<T extends z.ZodType>(value: T, max: number, what: string) {
  return z.record(z.string(), value).superRefine((record, ctx) => {
    const names = Object.keys(record);
    if (names.length > max) ctx.addIssue({ code: "custom", message: `At most ${max} ${what}.` });
    for (const name of names) {
      const problem = envNameProblem(name);
      if (problem) ctx.addIssue({ code: "custom", path: [name], message: problem });
    }
  });
}

const MAX_VALUE = 16 * 1024;

export const envVarsSchema = namedRecord(
  z
    .string()
    .max(MAX_VALUE, "A value is at most 16 KiB.")
    .refine((value) => !value.includes("\0"), "Values cannot contain NUL."),
  100,
  "variables",
);
export type EnvVars = z.infer<typeof envVarsSchema>;

/** Secrets as sent by a person: a value sets it, null removes it. Values are never returned. */
export const secretsInputSchema = namedRecord(
  z
    .string()
    // Shorter values could not be told apart from ordinary text when they are redacted from logs.
    .min(8, "A secret is at least 8 characters (send null to remove it).")
    .max(MAX_VALUE, "A secret is at most 16 KiB.")
    .refine((value) => !value.includes("\0"), "Secrets cannot contain NUL.")
    .nullable(),
  50,
  "secrets",
);

// "example.com" or "*.example.com": letters, digits, hyphens and dots; no scheme, port or path.
const domainPattern = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/,
    "Use a host name like example.com or *.example.com (no scheme, port or path).",
  );

export const networkPolicySchema = z.strictObject({
  /** The agent phase: off (no network, the default), the allowlist through the proxy, or on (any public host through the proxy). */
  agent: z.enum(["off", "allowlist", "on"]).default("off"),
  /** Hosts added to the default registries for setup (and the agent when it uses the allowlist). */
  allow: z.array(domainPattern).max(200, "At most 200 hosts.").default([]),
});
export type NetworkPolicy = z.infer<typeof networkPolicySchema>;

export const DEFAULT_NETWORK: NetworkPolicy = { agent: "off", allow: [] };

/**
 * Package registries every setup may reach: npm (and yarn's mirror), PyPI, crates.io, Go's module proxy
 * and checksum database, Maven Central and Gradle's plugin portal, RubyGems, Debian and Ubuntu archives,
 * and GitHub's hosts for release and tarball downloads that package managers fetch.
 */
export const DEFAULT_ALLOWED_HOSTS = [
  "registry.npmjs.org",
  "registry.yarnpkg.com",
  "repo.yarnpkg.com",
  "pypi.org",
  "files.pythonhosted.org",
  "crates.io",
  "index.crates.io",
  "static.crates.io",
  "proxy.golang.org",
  "sum.golang.org",
  "storage.googleapis.com",
  "repo.maven.apache.org",
  "repo1.maven.org",
  "plugins.gradle.org",
  "services.gradle.org",
  "rubygems.org",
  "index.rubygems.org",
  "deb.debian.org",
  "security.debian.org",
  "archive.ubuntu.com",
  "security.ubuntu.com",
  "codeload.github.com",
  "objects.githubusercontent.com",
  "github.com",
] as const;

const globSchema = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .refine((glob) => !glob.startsWith("/") && !glob.split("/").includes(".."), "Use a path inside the repository (no leading / or ..).");

export const setupFieldsSchema = z.strictObject({
  nodeVersion: z.enum(NODE_VERSIONS).optional(),
  setupScript: z
    .string()
    .max(64 * 1024, "The setup script is at most 64 KiB.")
    .nullable()
    .optional(),
  maintenanceScript: z
    .string()
    .max(64 * 1024, "The maintenance script is at most 64 KiB.")
    .nullable()
    .optional(),
  env: envVarsSchema.optional(),
  secrets: secretsInputSchema.optional(),
  network: networkPolicySchema.optional(),
  cacheKeyFiles: z.array(globSchema).max(50, "At most 50 cache-key globs.").optional(),
});

/** What the worker needs to run setup, as stored (secrets still sealed). */
export type SetupConfig = {
  nodeVersion: NodeVersion;
  setupScript: string | null;
  maintenanceScript: string | null;
  env: EnvVars;
  network: NetworkPolicy;
  cacheKeyFiles: string[];
};

export function parseStoredNetwork(value: unknown): NetworkPolicy {
  const parsed = networkPolicySchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : DEFAULT_NETWORK;
}

export function parseStoredEnvVars(value: unknown): EnvVars {
  const parsed = envVarsSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}

export function parseStoredCacheKeyFiles(value: unknown): string[] {
  const parsed = z.array(globSchema).safeParse(value ?? []);
  return parsed.success ? parsed.data : [];
}

export function parseNodeVersion(value: unknown): NodeVersion {
  return value === "22" ? "22" : "20";
}

/** Whether a host is allowed by the default list plus an environment's own patterns. */
export function hostAllowed(host: string, allow: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return [...DEFAULT_ALLOWED_HOSTS, ...allow].some((pattern) =>
    pattern.startsWith("*.") ? name === pattern.slice(2) || name.endsWith(pattern.slice(1)) : name === pattern,
  );
}

/** A script that is empty or only whitespace means "none". */
export function scriptOrNull(value: string | null | undefined): string | null {
  return value && value.trim() !== "" ? value : null;
}
