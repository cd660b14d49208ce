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

export type RepoUrlKind = "https" | "ssh" | "file";

/** Returns the URL's kind, or throws an AppError a person can act on. */
/**
 * `localRoots`: directories whose file:// repositories are always allowed because Patchbay created them
 * (the demo repository), even when PATCHBAY_ALLOW_LOCAL_REPOS is off.
 */
export function classifyRepoUrl(url: string, options: { allowLocal: boolean; localRoots?: readonly string[] }): RepoUrlKind {
  const trimmed = url.trim();
  if (trimmed !== url || trimmed.length === 0) throw new AppError("bad_request", "Repository URL is empty or has surrounding spaces.");
  if (url.length > 2000) throw new AppError("bad_request", "Repository URL is longer than 2000 characters.");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
  if (/[\x00-\x20\x7f]/.test(url)) throw new AppError("bad_request", "Repository URL contains spaces or control characters.");
  if (url.startsWith("-")) throw new AppError("bad_request", "Repository URL cannot start with '-'.");
  if (/^git@[A-Za-z0-9.-]+:[A-Za-z0-9._~/-]+$/.test(url)) return "ssh";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError("bad_request", `"${url}" is not a repository URL. Use https://host/owner/repo.git or git@host:owner/repo.git.`);
  }
  switch (parsed.protocol) {
    case "https:":
      if (parsed.username || parsed.password) {
        throw new AppError("bad_request", "Do not put credentials in the repository URL; Patchbay keeps credentials separately.");
      }
      return "https";
    case "ssh:":
      // A user name (git@) is normal for ssh, a password is not: the URL is stored, shown and put in git's argv.
      if (parsed.password) {
        throw new AppError("bad_request", "Do not put credentials in the repository URL; Patchbay keeps credentials separately.");
      }
      return "ssh";
    case "file:":
      if (!options.allowLocal && !isUnder(parsed, options.localRoots ?? [])) {
        throw new AppError("bad_request", "file:// repositories are disabled. Set PATCHBAY_ALLOW_LOCAL_REPOS=1 to allow them.");
      }
      return "file";
    default:
      throw new AppError("bad_request", `Unsupported repository URL scheme "${parsed.protocol}". Use https, ssh or (when enabled) file.`);
  }
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
