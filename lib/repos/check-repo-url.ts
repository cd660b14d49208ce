// The network half of the repository URL check: the host must resolve to public addresses only. The web
// app runs it when an environment is saved, and the worker again right before every fetch, because what a
// name resolves to can change after it was saved. Local development mode skips it.
import { lookup } from "node:dns/promises";
import { AppError } from "@/lib/errors";
import { parseRepoUrl, type RepoUrlMode } from "@/lib/git-refs";
import { addressClass, describeAddressClass } from "./address-class";

/** Every address a host name resolves to; tests inject fixed answers instead of asking DNS. */
export type ResolveHost = (host: string) => Promise<string[]>;

/**
 * Where git may connect. `addresses` are the checked answers, so the fetch can be pinned to them; empty
 * when nothing was resolved (local development mode).
 */
export type RepoTarget = { kind: "file" } | { kind: "https" | "http" | "ssh"; host: string; port: number; addresses: string[] };

const LOOKUP_TIMEOUT_MS = 10_000;

export const lookupHost: ResolveHost = async (host) => {
  const answers = await lookup(host, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
};

export async function checkRepoUrl(url: string, options: RepoUrlMode & { resolveHost?: ResolveHost }): Promise<RepoTarget> {
  const parsed = parseRepoUrl(url, options);
  if (parsed.kind === "file") return parsed;
  if (options.allowLocal) return { ...parsed, addresses: [] };
  const addresses = await resolve(parsed.host, options.resolveHost ?? lookupHost);
  for (const address of addresses) {
    const refused = addressClass(address);
    if (!refused) continue;
    const where = address === parsed.host ? `The repository host ${parsed.host} is` : `The repository host ${parsed.host} resolves to ${address},`;
    throw new AppError(
      "bad_request",
      `${where} ${describeAddressClass(refused)}. Patchbay fetches repositories from public addresses only, so a repository URL cannot reach the worker's own network. For local development, set PATCHBAY_ALLOW_LOCAL_REPOS=1.`,
    );
  }
  return { ...parsed, addresses };
}

async function resolve(host: string, resolveHost: ResolveHost): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${LOOKUP_TIMEOUT_MS / 1000} s`)), LOOKUP_TIMEOUT_MS);
    timer.unref();
  });
  try {
    const addresses = [...new Set(await Promise.race([resolveHost(host), timeout]))];
    if (addresses.length === 0) throw new Error("no addresses");
    return addresses;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? String(error);
    throw new AppError(
      "repo_unreachable",
      `The repository host ${host} could not be resolved (${reason}). Check the URL, or try again if DNS is having trouble.`,
      {
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
  }
}
