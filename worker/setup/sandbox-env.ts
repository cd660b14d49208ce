// The plain variables every container of an attempt gets: the environment's `env`, PATH with the chosen
// Node.js first, and proxy settings when the container's only way out is the egress proxy. Secrets are
// never here: they go into the setup process's own environment only.
import type { EnvVars, NodeVersion } from "@/lib/environments/setup-config";

const BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Both versions live in /opt/node-<major>/bin in the sandbox image (20 links to Debian's nodejs). */
export function nodePath(version: NodeVersion): string {
  return `/opt/node-${version}/bin:${BASE_PATH}`;
}

export function proxyEnv(url: string): Record<string, string> {
  // Tools disagree on the case they read (curl ignores HTTP_PROXY for http:// URLs), so set both.
  return { HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, NO_PROXY: "", no_proxy: "" };
}

export function containerEnv(input: { env: EnvVars; nodeVersion: NodeVersion; proxyUrl?: string | null }): Record<string, string> {
  return { ...input.env, PATH: nodePath(input.nodeVersion), ...(input.proxyUrl ? proxyEnv(input.proxyUrl) : {}) };
}
