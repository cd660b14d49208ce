// The network half of a forge connection's check, like the repository URL's: the API base and the push
// URL must be on public addresses (unless local development mode allows local ones), so a connection
// cannot point the worker's pushes or API calls at its own network. The worker checks again before use.
import { AppError } from "@/lib/errors";
import { checkRepoUrl, type ResolveHost } from "@/lib/repos/check-repo-url";
import { type ForgeConnection, forgeApiBase, pushUrl } from "./forge-connection";

export async function checkForgeConnection(
  connection: Pick<ForgeConnection, "kind" | "url">,
  repoUrl: string,
  policy: { allowLocal: boolean; localRoots?: readonly string[]; resolveHost?: ResolveHost },
): Promise<void> {
  const push = pushUrl(connection, repoUrl);
  const pushTarget = await checkRepoUrl(push, { ...policy, localRoots: policy.localRoots ?? [] });
  if (pushTarget.kind === "ssh" || pushTarget.kind === "file") {
    throw new AppError("bad_request", `Patchbay pushes with the connection's token over https, so ${push} cannot be used as the push URL.`);
  }
  const api = forgeApiBase(connection);
  if (api) await checkRepoUrl(api, { ...policy, localRoots: [] });
}
