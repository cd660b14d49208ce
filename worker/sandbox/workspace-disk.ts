// Size caps for the volumes a sandbox can write (its workspace and home). Docker's local volumes have no
// size limit on ext4 hosts (StorageOpt needs xfs with project quotas), so each capped volume is an ext4
// file system in a sparse file on a loop device, mounted by Docker's local driver: writing past the cap
// fails inside the sandbox with "No space left on device" and the host disk never fills. Needs root on
// the Docker host (losetup); elsewhere the worker runs without caps and says so at start.
import { execFile } from "node:child_process";
import { mkdir, readdir, rm, truncate } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { type HostIds, SANDBOX_UID } from "./sandbox-user";

const run = promisify(execFile);
const TOOL_TIMEOUT_MS = 60_000;

/** The label on a capped volume naming its image file, so whoever removes the volume can free it. */
export const LABEL_DISK_IMAGE = "patchbay.disk-image";

export type WorkspaceDisk = {
  sizeBytes: number;
  /** Makes an image file of the cap's size and attaches it; returns the driver options for the volume. */
  create(volume: string): Promise<{ driverOpts: Record<string, string>; labels: Record<string, string> }>;
  /** Detaches and deletes the image of a removed volume (from its labels); missing ones are fine. */
  release(labels: Record<string, string> | null | undefined): Promise<void>;
  /** Deletes images no volume refers to any more (a crash between the two removals). */
  sweep(volumesInUse: Set<string>): Promise<string[]>;
};

/** "10g", "512m", "1024k", "0" (no cap) → bytes. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmgt]?)b?$/i.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a size (use e.g. 10g, 512m or 0 for none)`);
  const units: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.floor(Number(match[1]) * (units[(match[2] ?? "").toLowerCase()] ?? 1));
}

/** The disk manager, or the reason there is none (no cap configured, not root, no losetup). */
export async function createWorkspaceDisk(input: {
  dir: string;
  sizeBytes: number;
  /** The sandbox user as the Docker host sees it (sandbox-user.ts); 1000:1000 without userns-remap. */
  owner?: HostIds;
}): Promise<WorkspaceDisk | { unavailable: string }> {
  const owner = input.owner ?? { uid: SANDBOX_UID, gid: SANDBOX_UID };
  if (input.sizeBytes === 0) return { unavailable: "PATCHBAY_WORKSPACE_SIZE is 0" };
  if (process.getuid?.() !== 0) return { unavailable: "the worker is not root, so it cannot attach loop devices" };
  try {
    await run("losetup", ["--version"], { timeout: TOOL_TIMEOUT_MS });
    await run("mkfs.ext4", ["-V"], { timeout: TOOL_TIMEOUT_MS });
  } catch (error) {
    return { unavailable: `losetup or mkfs.ext4 is missing (${(error as Error).message})` };
  }
  const dir = path.resolve(input.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });

  async function detach(image: string): Promise<void> {
    const { stdout } = await run("losetup", ["-j", image], { timeout: TOOL_TIMEOUT_MS });
    for (const line of stdout.split("\n")) {
      const device = line.split(":")[0]?.trim();
      if (device) await run("losetup", ["-d", device], { timeout: TOOL_TIMEOUT_MS }).catch(() => undefined);
    }
  }

  return {
    sizeBytes: input.sizeBytes,
    async create(volume) {
      const image = path.join(dir, `${volume}.ext4`);
      await rm(image, { force: true });
      await run("touch", [image], { timeout: TOOL_TIMEOUT_MS });
      await truncate(image, input.sizeBytes);
      // No blocks reserved for root, owned by the sandbox user, and no lost+found in the workspace.
      await run("mkfs.ext4", ["-q", "-F", "-m", "0", "-E", `root_owner=${owner.uid}:${owner.gid},lazy_itable_init=1,lazy_journal_init=1`, image], {
        timeout: TOOL_TIMEOUT_MS,
      });
      await run("debugfs", ["-w", "-R", "rmdir lost+found", image], { timeout: TOOL_TIMEOUT_MS }).catch(() => undefined);
      const { stdout } = await run("losetup", ["--find", "--show", image], { timeout: TOOL_TIMEOUT_MS });
      return { driverOpts: { type: "ext4", device: stdout.trim() }, labels: { [LABEL_DISK_IMAGE]: image } };
    },
    async release(labels) {
      const image = labels?.[LABEL_DISK_IMAGE];
      if (!image || path.dirname(image) !== dir) return;
      await detach(image).catch(() => undefined);
      await rm(image, { force: true });
    },
    async sweep(volumesInUse) {
      const removed: string[] = [];
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (!name.endsWith(".ext4") || volumesInUse.has(name.slice(0, -".ext4".length))) continue;
        const image = path.join(dir, name);
        await detach(image).catch(() => undefined);
        await rm(image, { force: true });
        removed.push(image);
      }
      return removed;
    },
  };
}
