// Copy-on-write restores of setup caches. Copying a cached node_modules into every new workspace costs
// time in proportion to its size (about half a second for 50 MB here, seconds for 300 MB). Instead, the
// attempt's workspace and home can be overlay mounts: the cache volume, never written, is the lower
// layer, and the attempt's own writes go to an upper layer that is thrown away with the attempt. The
// restore is then a `docker volume create`, whatever the cache's size.
//
// Docker's local volume driver does the overlay mount when a container first uses the volume; the
// upper and work directories must already exist on the Docker host, so this needs a worker that runs
// on that host as root (it makes them, owned by the sandbox user as the host sees it, sandbox-user.ts, and
// mounts a size-capped file system under them when workspaces are capped). Elsewhere, restores copy
// (docker-driver.ts) and this says why.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chown, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type Docker from "dockerode";
import { sandboxUserOnHost } from "./sandbox-user";
import type { WorkspaceDisk } from "./workspace-disk";

const run = promisify(execFile);
const TOOL_TIMEOUT_MS = 60_000;

/** On a layered volume: the directory holding its upper and work layers, to be removed with it. */
export const LABEL_LAYER_DIR = "patchbay.layer-dir";
/** On a layered volume: the volume it shows (its lower layer), which must outlive it. */
export const LABEL_LAYER_LOWER = "patchbay.layer-lower";

export type LayeredVolumes = {
  /** Creates volume `name` showing the contents of volume `lower`, with writes kept apart in a new upper layer. */
  create(name: string, lower: string, labels: Record<string, string>): Promise<void>;
  /** Frees the layers of a removed volume (from its labels); missing ones are fine. */
  release(labels: Record<string, string> | null | undefined): Promise<void>;
  /** Frees layers no volume refers to any more (a crash between removing the volume and its layers). */
  sweep(volumesInUse: Set<string>): Promise<string[]>;
};

/**
 * The layer manager, or why restores have to copy on this host. The probe mounts an overlay of a real
 * Docker volume from this process: that proves the worker sees the engine's volumes on its own file
 * system and may mount, which is what the engine's own mount will need.
 */
export async function createLayeredVolumes(input: {
  docker: Docker;
  dir: string;
  workspaceDisk?: WorkspaceDisk | undefined;
}): Promise<LayeredVolumes | { unavailable: string }> {
  if (process.getuid?.() !== 0) return { unavailable: "the worker is not root, so it cannot prepare overlay layers" };
  const dir = path.resolve(input.dir);
  // Mount options are comma- and colon-separated: a path holding either cannot be passed safely.
  if (/[,:]/.test(dir)) return { unavailable: `the layer directory ${dir} contains "," or ":"` };
  const owner = sandboxUserOnHost((await input.docker.info()) as { SecurityOptions?: string[]; DockerRootDir?: string });
  if ("unknown" in owner) return { unavailable: `the sandbox user's id on this host is not known: ${owner.unknown}` };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const problem = await probe(input.docker, dir).catch((error: Error) => error.message);
  if (problem) return { unavailable: problem };
  const disk = input.workspaceDisk;

  async function unmount(target: string): Promise<void> {
    await run("umount", [target], { timeout: TOOL_TIMEOUT_MS }).catch(() => undefined);
  }

  async function release(labels: Record<string, string> | null | undefined): Promise<void> {
    const layerDir = labels?.[LABEL_LAYER_DIR];
    if (!layerDir || path.dirname(layerDir) !== dir) return;
    if (disk) await unmount(layerDir);
    await disk?.release(labels);
    await rm(layerDir, { recursive: true, force: true });
  }

  return {
    async create(name, lower, labels) {
      const { Mountpoint: lowerDir } = await input.docker.getVolume(lower).inspect();
      if (/[,:]/.test(lowerDir)) throw new Error(`The cache volume's path ${lowerDir} contains "," or ":"`);
      const layerDir = path.join(dir, name);
      const own: Record<string, string> = { [LABEL_LAYER_DIR]: layerDir, [LABEL_LAYER_LOWER]: lower };
      await release(own);
      await mkdir(layerDir, { mode: 0o700 });
      try {
        if (disk) {
          // The upper layer lives on the workspace's capped file system: the cap still holds.
          const image = await disk.create(name);
          Object.assign(own, image.labels);
          const device = image.driverOpts.device ?? "";
          await run("mount", ["-t", "ext4", "-o", "nosuid,nodev", device, layerDir], { timeout: TOOL_TIMEOUT_MS });
        }
        const upper = path.join(layerDir, "upper");
        const work = path.join(layerDir, "work");
        await mkdir(upper);
        await mkdir(work);
        await chown(upper, owner.uid, owner.gid);
        await input.docker.createVolume({
          Name: name,
          Driver: "local",
          // redirect_dir: renaming a directory of the lower layer (npm does it) works instead of failing with EXDEV.
          DriverOpts: { type: "overlay", device: "overlay", o: `lowerdir=${lowerDir},upperdir=${upper},workdir=${work},redirect_dir=on` },
          Labels: { ...labels, ...own },
        });
      } catch (error) {
        await release(own);
        throw error;
      }
    },
    release,
    async sweep(volumesInUse) {
      const removed: string[] = [];
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (volumesInUse.has(name) || name.startsWith("probe-")) continue;
        const layerDir = path.join(dir, name);
        // The disk image label is not known here: the workspace disk's own sweep frees its image.
        await unmount(layerDir);
        await rm(layerDir, { recursive: true, force: true });
        removed.push(layerDir);
      }
      return removed;
    },
  };
}

/** Mounts an overlay of a fresh Docker volume here and reads a file through it; returns a problem or null. */
async function probe(docker: Docker, dir: string): Promise<string | null> {
  const name = `patchbay-layer-probe-${randomBytes(6).toString("hex")}`;
  const probeDir = path.join(dir, `probe-${name}`);
  const merged = path.join(probeDir, "merged");
  await docker.createVolume({ Name: name });
  try {
    const { Mountpoint: lowerDir } = await docker.getVolume(name).inspect();
    const visible = await stat(lowerDir).then(
      () => true,
      () => false,
    );
    if (!visible) return `the Docker engine's volumes (${lowerDir}) are not on this worker's file system`;
    await writeFile(path.join(lowerDir, "probe"), "layered");
    for (const sub of ["upper", "work", "merged"]) await mkdir(path.join(probeDir, sub), { recursive: true });
    const options = `lowerdir=${lowerDir},upperdir=${path.join(probeDir, "upper")},workdir=${path.join(probeDir, "work")},redirect_dir=on`;
    try {
      await run("mount", ["-t", "overlay", "overlay", "-o", options, merged], { timeout: TOOL_TIMEOUT_MS });
    } catch (error) {
      return `this host cannot mount overlay file systems (${(error as Error).message.split("\n")[0]})`;
    }
    try {
      const seen = await readFile(path.join(merged, "probe"), "utf8");
      return seen === "layered" ? null : "an overlay mount did not show its lower layer";
    } finally {
      await run("umount", [merged], { timeout: TOOL_TIMEOUT_MS }).catch(() => undefined);
    }
  } finally {
    await rm(probeDir, { recursive: true, force: true });
    await docker
      .getVolume(name)
      .remove({ force: true })
      .catch(() => undefined);
  }
}

/** Frees what a removed volume kept outside Docker: its layers, or the image of its size cap. */
export async function releaseVolumeStorage(
  labels: Record<string, string> | null | undefined,
  storage: { layers?: Pick<LayeredVolumes, "release"> | undefined; workspaceDisk?: Pick<WorkspaceDisk, "release"> | undefined },
): Promise<void> {
  // A layered volume's release frees the image of its capped upper layer too.
  if (labels?.[LABEL_LAYER_DIR] && storage.layers) await storage.layers.release(labels);
  else await storage.workspaceDisk?.release(labels);
}
