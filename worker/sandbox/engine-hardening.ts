// What the Docker engine itself does to contain a container that escapes its own limits, read at worker
// start so an operator sees the gaps on the console (docs/security.md §3). Patchbay's container template
// already sets no-new-privileges, drops every capability and runs as uid 1000 in each sandbox; these are
// the engine-wide settings only the operator can change (scripts/setup/docker-daemon.json).
import type Docker from "dockerode";

export type EngineFacts = {
  /** `docker info` SecurityOptions, e.g. "name=seccomp,profile=default", "name=userns", "name=rootless". */
  securityOptions: readonly string[];
  /** The default bridge's com.docker.network.bridge.enable_icc option ("false" when icc is off). */
  defaultBridgeIcc: string | undefined;
};

/** `info`: the engine's `docker info` when the caller has already read it. */
export async function readEngineFacts(docker: Docker, info?: { SecurityOptions?: string[] }): Promise<EngineFacts> {
  info ??= (await docker.info()) as { SecurityOptions?: string[] };
  const bridge = (await docker
    .getNetwork("bridge")
    .inspect()
    .catch(() => null)) as { Options?: Record<string, string> } | null;
  return { securityOptions: info.SecurityOptions ?? [], defaultBridgeIcc: bridge?.Options?.["com.docker.network.bridge.enable_icc"] };
}

/** One sentence per missing engine-wide protection; empty when the engine has them all. */
export function engineHardeningGaps(facts: EngineFacts): string[] {
  const gaps: string[] = [];
  const has = (name: string) => facts.securityOptions.some((option) => option.split(",").includes(`name=${name}`));
  if (!has("userns") && !has("rootless")) {
    gaps.push("root in a container is root on this host (no userns-remap and not rootless): a kernel escape from a sandbox owns the host");
  }
  if (!has("seccomp")) gaps.push("containers run without a seccomp profile");
  if (facts.defaultBridgeIcc !== "false") {
    gaps.push('containers on the default bridge can talk to each other ("icc": false is not set)');
  }
  return gaps;
}
