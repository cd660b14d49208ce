// The sandbox user (uid and gid 1000 in every container, docker/sandbox.Dockerfile) as the Docker host
// sees it. With userns-remap the engine shifts container ids by its remap range; Docker names its data
// root after the remapped root (/var/lib/docker/100000.100000), which is where the offset is read from.
// Files the worker prepares on the host for a sandbox to write (overlay upper layers, capped file
// systems) must belong to this id.
export const SANDBOX_UID = 1000;

export type HostIds = { uid: number; gid: number };

export function sandboxUserOnHost(info: { SecurityOptions?: string[] | null; DockerRootDir?: string | null }): HostIds | { unknown: string } {
  const remapped = (info.SecurityOptions ?? []).some((option) => option.split(",").includes("name=userns"));
  if (!remapped) return { uid: SANDBOX_UID, gid: SANDBOX_UID };
  const match = /\/(\d+)\.(\d+)\/?$/.exec(info.DockerRootDir ?? "");
  if (!match) return { unknown: `the engine remaps user namespaces but its data root (${info.DockerRootDir ?? "unknown"}) does not name the remapped ids` };
  return { uid: Number(match[1]) + SANDBOX_UID, gid: Number(match[2]) + SANDBOX_UID };
}
