// A second Docker engine on this machine, for tests of workers on several hosts: its own dockerd with its
// own socket, data root and default bridge, hardened like the first (scripts/setup/docker-daemon.json),
// and the sandbox image copied into it. Its bridge is named pb-… so the sandbox firewall
// (scripts/setup/sandbox-firewall.sh, rule `-i pb-+`) keeps its containers away from this host too.
// The data root is kept under .data/ so that a later run reuses the copied image.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createDocker } from "@/worker/sandbox/docker-driver";
import { waitFor } from "./wait-for";

const ROOT = path.resolve(import.meta.dirname, "../../.data/test-engine-2");
const BRIDGE = "pb-engine2";
const BRIDGE_ADDRESS = "10.213.0.1/24";
export const SECOND_ENGINE_SOCKET = path.join(ROOT, "docker.sock");

export type SecondEngine = { socket: string; docker: ReturnType<typeof createDocker>; stop(): Promise<void> };

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: "pipe" });
}

export async function startSecondEngine(image: string): Promise<SecondEngine> {
  mkdirSync(ROOT, { recursive: true });
  const config = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../scripts/setup/docker-daemon.json"), "utf8"));
  // Its own address pool: the first engine's networks keep theirs.
  writeFileSync(path.join(ROOT, "daemon.json"), JSON.stringify({ ...config, "default-address-pools": [{ base: "10.214.0.0/16", size: 24 }] }));
  if (spawnSync("ip", ["link", "show", BRIDGE], { stdio: "ignore" }).status !== 0) {
    run("ip", ["link", "add", BRIDGE, "type", "bridge"]);
    run("ip", ["addr", "add", BRIDGE_ADDRESS, "dev", BRIDGE]);
  }
  run("ip", ["link", "set", BRIDGE, "up"]);
  const daemon = spawn(
    "dockerd",
    [
      "--config-file",
      path.join(ROOT, "daemon.json"),
      "--host",
      `unix://${SECOND_ENGINE_SOCKET}`,
      "--data-root",
      path.join(ROOT, "data"),
      "--exec-root",
      path.join(ROOT, "exec"),
      "--pidfile",
      path.join(ROOT, "docker.pid"),
      "--bridge",
      BRIDGE,
    ],
    { stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  let log = "";
  daemon.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const docker = createDocker(SECOND_ENGINE_SOCKET);
  await waitFor(
    "the second Docker engine to answer",
    async () => {
      if (daemon.exitCode !== null) throw new Error(`the second dockerd exited (${daemon.exitCode}):\n${log}`);
      return (
        (await docker
          .ping()
          .then(() => true)
          .catch(() => false)) || null
      );
    },
    120_000,
  );
  const stop = async () => {
    daemon.kill("SIGTERM");
    await waitFor("the second dockerd to stop", async () => (daemon.exitCode !== null || daemon.signalCode !== null ? true : null), 60_000);
  };
  try {
    const wanted = execFileSync("docker", ["image", "inspect", "--format", "{{.Id}}", image], { encoding: "utf8" }).trim();
    const present = await docker
      .getImage(image)
      .inspect()
      .then((info) => info.Id)
      .catch(() => null);
    if (present !== wanted) {
      // docker save | docker load: the same image, id included, on the second engine.
      const load = spawnSync("bash", ["-c", `set -o pipefail; docker save ${image} | docker -H unix://${SECOND_ENGINE_SOCKET} load`], { stdio: "pipe" });
      if (load.status !== 0) throw new Error(`could not copy ${image} into the second engine: ${load.stderr.toString()}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { socket: SECOND_ENGINE_SOCKET, docker, stop };
}
