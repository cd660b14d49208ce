// Validation of user-supplied git names and repository URLs. The worker re-checks branch names with
// `git check-ref-format --branch`; this first pass gives a clear error at submit time.
import path from "node:path";
import { AppError } from "@/lib/errors";

export function validateBranchName(name: string): string | null {
  if (name.length === 0) return "Branch name is empty.";
  if (name.length > 200) return "Branch name is longer than 200 characters.";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return `Branch name "${name}" contains a character git does not allow.`;
  if (name.startsWith("-") || name.startsWith("/") || name.endsWith("/") || name.endsWith(".")) {
    return `Branch name "${name}" cannot start with "-" or "/" or end with "/" or ".".`;
  }
  if (name.includes("..") || name.includes("//") || name.includes("@{") || name === "@") {
    return `Branch name "${name}" contains a sequence git does not allow ("..", "//" or "@{").`;
  }
  if (name.split("/").some((part) => part.startsWith(".") || part.endsWith(".lock"))) {
    return `Branch name "${name}" has a part that starts with "." or ends with ".lock".`;
  }
  // `git check-ref-format --branch HEAD` fails; catch it here rather than later in the worker.
  if (name === "HEAD") return `"HEAD" cannot be used as a branch name.`;
  return null;
}

export type RepoUrlKind = "https" | "http" | "ssh" | "file";

/** A repository URL that passed the syntax and mode checks: its kind and, for the network kinds, where git will connect. */
export type ParsedRepoUrl = { kind: "file" } | { kind: "https" | "http" | "ssh"; host: string; port: number };

export type RepoUrlMode = {
  /** Local development mode (PATCHBAY_ALLOW_LOCAL_REPOS): file:// and plain http:// are allowed. */
  allowLocal: boolean;
  /**
   * Directories whose file:// repositories are always allowed because Patchbay created them (the demo
   * repository), even when local development mode is off.
   */
  localRoots?: readonly string[];
};

// Host names and addresses in the one spelling git, curl, ssh and the WHATWG parser agree on. Odd forms
// (0x7f.1, 2130706433, a backslash, non-ASCII) are refused: were the parsers to disagree, the host checked
// against private ranges would not be the host git connects to. The last label starts with a letter.
const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOST_NAME = `(?:${LABEL}\\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?`;
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
const IPV6 = "\\[[0-9A-Fa-f:.]+\\]";
const HOST = `(${HOST_NAME}|${IPV4}|${IPV6})`;
const PORT = "(?::(\\d{1,5}))?";
const PATH = "[A-Za-z0-9._~!$&'()*+,;=:@%/-]*";
const HTTP_URL = new RegExp(`^https?://${HOST}${PORT}(?:/${PATH})?$`);
const SSH_URL = new RegExp(`^ssh://(?:[A-Za-z0-9_][A-Za-z0-9._-]*@)?${HOST}${PORT}/${PATH}$`);
const SCP_URL = new RegExp(`^git@(${HOST_NAME}|${IPV4}):[A-Za-z0-9._~/-]+$`);
const DEFAULT_PORTS = { https: 443, http: 80, ssh: 22 } as const;

/** Returns the URL's kind, or throws an AppError a person can act on. */
export function classifyRepoUrl(url: string, options: RepoUrlMode): RepoUrlKind {
  return parseRepoUrl(url, options).kind;
}

/** classifyRepoUrl plus the host and port git will connect to, for the address check (lib/repos/check-repo-url.ts). */
export function parseRepoUrl(url: string, options: RepoUrlMode): ParsedRepoUrl {
  const trimmed = url.trim();
  if (trimmed !== url || trimmed.length === 0) throw new AppError("bad_request", "Repository URL is empty or has surrounding spaces.");
  if (url.length > 2000) throw new AppError("bad_request", "Repository URL is longer than 2000 characters.");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
  if (/[\x00-\x20\x7f]/.test(url)) throw new AppError("bad_request", "Repository URL contains spaces or control characters.");
  if (url.startsWith("-")) throw new AppError("bad_request", "Repository URL cannot start with '-'.");
  const scp = SCP_URL.exec(url);
  if (scp?.[1]) return { kind: "ssh", host: scp[1], port: DEFAULT_PORTS.ssh };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError("bad_request", `"${url}" is not a repository URL. Use https://host/owner/repo.git or git@host:owner/repo.git.`);
  }
  switch (parsed.protocol) {
    case "https:":
    case "http:": {
      if (parsed.username || parsed.password) {
        throw new AppError("bad_request", "Do not put credentials in the repository URL; Patchbay keeps credentials separately.");
      }
      const kind = parsed.protocol === "https:" ? "https" : "http";
      if (kind === "http" && !options.allowLocal) {
        throw new AppError(
          "bad_request",
          "Plain http:// repositories are refused: code and credentials would travel unencrypted. Use https://, or set PATCHBAY_ALLOW_LOCAL_REPOS=1 for local development.",
        );
      }
      return networkUrl(kind, HTTP_URL.exec(url), url);
    }
    case "ssh:":
      // A user name (git@) is normal for ssh, a password is not: the URL is stored, shown and put in git's argv.
      if (parsed.password) {
        throw new AppError("bad_request", "Do not put credentials in the repository URL; Patchbay keeps credentials separately.");
      }
      return networkUrl("ssh", SSH_URL.exec(url), url);
    case "file:":
      if (!options.allowLocal && !isUnder(parsed, options.localRoots ?? [])) {
        throw new AppError("bad_request", "file:// repositories are disabled. Set PATCHBAY_ALLOW_LOCAL_REPOS=1 to allow them.");
      }
      return { kind: "file" };
    default:
      throw new AppError("bad_request", `Unsupported repository URL scheme "${parsed.protocol}". Use https, ssh or (when enabled) file.`);
  }
}

function networkUrl(kind: "https" | "http" | "ssh", match: RegExpExecArray | null, url: string): ParsedRepoUrl {
  const host = match?.[1];
  const port = match?.[2] === undefined ? DEFAULT_PORTS[kind] : Number(match[2]);
  if (!host || port < 1 || port > 65535) {
    throw new AppError(
      "bad_request",
      `"${url}" is not a repository URL Patchbay accepts: use a plain host name or IP address (ASCII, no backslashes or unusual number forms), an optional port and a path, e.g. ${kind === "ssh" ? "ssh://git@host/owner/repo.git" : `${kind}://host/owner/repo.git`}.`,
    );
  }
  return { kind, host: host.replace(/^\[|\]$/g, ""), port };
}

function isUnder(url: URL, roots: readonly string[]): boolean {
  if (url.host !== "") return false;
  let target: string;
  try {
    target = path.resolve(decodeURIComponent(url.pathname));
  } catch {
    return false;
  }
  return roots.some((root) => target.startsWith(path.resolve(root) + path.sep));
}
