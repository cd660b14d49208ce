// The egress proxy's configuration (squid) for one attempt, and reading its access log back. The proxy
// allows CONNECT/HTTP only to the environment's allowlist (or, for an agent with network "on", to any
// host), and never to loopback, private, link-local, CGNAT or multicast addresses, whatever a name
// resolves to. Each refused request is one log line, shown in the timeline with its host.
import { DEFAULT_ALLOWED_HOSTS } from "@/lib/environments/setup-config";
import { PROXY_PORT } from "@/worker/sandbox/container-template";

export type ProxyPolicy = { mode: "allowlist"; allow: readonly string[] } | { mode: "any-public-host" };

const BLOCKED_RANGES = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::1",
  "fc00::/7",
  "fe80::/10",
];

export const ACCESS_LOG = "/tmp/access.log";

/** "*.example.com" → ".example.com" (squid: the domain and its subdomains). */
function squidDomain(pattern: string): string {
  return pattern.startsWith("*.") ? pattern.slice(1) : pattern;
}

export function squidConfig(policy: ProxyPolicy): string {
  const lines = [
    `http_port ${PROXY_PORT}`,
    "pid_filename /tmp/squid.pid",
    "cache_log /tmp/squid-cache.log",
    "logformat patchbay %ts %rm %ru %Ss/%>Hs",
    `access_log stdio:${ACCESS_LOG} patchbay`,
    "logfile_rotate 0",
    "netdb_filename none",
    "cache deny all",
    "cache_mem 0 MB",
    "coredump_dir /tmp",
    "visible_hostname patchbay-proxy",
    "forwarded_for delete",
    "via off",
    "httpd_suppress_version_string on",
    "shutdown_lifetime 0 seconds",
    // The pinger needs a capability the sandbox template drops.
    "pinger_enable off",
    "acl CONNECT method CONNECT",
    "acl web_ports port 80 443",
    "acl tls_port port 443",
    `acl blocked_destination dst ${BLOCKED_RANGES.join(" ")}`,
    "http_access deny !web_ports",
    "http_access deny CONNECT !tls_port",
    "http_access deny to_localhost",
    "http_access deny blocked_destination",
  ];
  if (policy.mode === "allowlist") {
    const domains = [...new Set([...DEFAULT_ALLOWED_HOSTS, ...policy.allow].map(squidDomain))];
    // squid refuses a list where one entry covers another (".a.com" and "b.a.com"): keep the wider one.
    const kept = domains.filter(
      (domain) => !domains.some((other) => other !== domain && other.startsWith(".") && (domain.endsWith(other) || domain === other.slice(1))),
    );
    lines.push(`acl allowed_hosts dstdomain -n ${kept.join(" ")}`, "http_access allow allowed_hosts");
  } else {
    lines.push("http_access allow all");
  }
  lines.push("http_access deny all");
  return `${lines.join("\n")}\n`;
}

export type ProxyLogEntry = { host: string; allowed: boolean };

/** Hosts from the access log, in order; CONNECT targets ("host:443") and URLs both give the host. */
export function parseAccessLog(text: string): ProxyLogEntry[] {
  const entries: ProxyLogEntry[] = [];
  for (const line of text.split("\n")) {
    const [, method, target, status] = line.trim().split(/\s+/);
    if (!method || !target || !status) continue;
    const host = hostOf(method, target);
    if (host) entries.push({ host, allowed: !status.startsWith("TCP_DENIED") });
  }
  return entries;
}

function hostOf(method: string, target: string): string | null {
  try {
    if (method === "CONNECT") return new URL(`https://${target}`).hostname.toLowerCase();
    return new URL(target).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** The refused hosts, each once, in the order they were first refused. */
export function blockedHosts(entries: ProxyLogEntry[]): string[] {
  return [...new Set(entries.filter((entry) => !entry.allowed).map((entry) => entry.host))];
}
