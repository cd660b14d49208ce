// Picks the client for an environment's forge. Each forge's client (github-client.ts, gitlab-client.ts,
// gitea-client.ts) speaks its own API through its SDK; a plain git remote has none (the branch is pushed and
// that is all).
import { AppError } from "@/lib/errors";
import { forgeApiBase, forgeRepositoryPath } from "@/lib/forge/forge-connection";
import type { OpenedForge } from "./forge-token";
import type { ForgeClient, ForgeClientOptions } from "./forge-types";
import { createGiteaClient } from "./gitea-client";
import { createGitHubClient } from "./github-client";
import { createGitLabClient } from "./gitlab-client";

/** The client for the connection's forge, or null for a plain git remote (push only). */
export function forgeClientFor(connection: OpenedForge, repoUrl: string, options: ForgeClientOptions): ForgeClient | null {
  const apiBase = forgeApiBase(connection);
  if (connection.kind === "git" || !apiBase) return null;
  const repository = forgeRepositoryPath(repoUrl);
  switch (connection.kind) {
    case "github":
      return createGitHubClient({ apiBase, token: connection.token, repository, ...options });
    case "gitlab":
      return createGitLabClient({ apiBase, token: connection.token, repository, ...options });
    case "gitea":
      return createGiteaClient({ apiBase, token: connection.token, repository, ...options });
    default: {
      const unknownKind: never = connection.kind;
      throw new AppError("bad_request", `Unknown forge kind ${String(unknownKind)}.`);
    }
  }
}
