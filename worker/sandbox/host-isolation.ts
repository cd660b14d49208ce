// The worker's start-up check that sandboxes cannot open connections to this host: a throwaway server
// listens on every address of the host, a probe sandbox on a Patchbay network tries the network's
// gateway and docker0's address, and the worker refuses to start when either answers. The rule that
// makes this hold is installed by scripts/setup/sandbox-firewall.sh (npm start runs it).
import { createServer } from "node:net";
import { AppError } from "@/lib/errors";
import type { SandboxDriver, SandboxSpec } from "./driver";

const PROBE_SCRIPT = `port=$1
gateway=$(hostname -i | awk '{print $1}' | sed 's/\\.[0-9]*$/.1/')
for ip in "$gateway" 172.17.0.1; do
  if timeout 3 bash -c "exec 3<>/dev/tcp/$ip/$port" 2>/dev/null; then echo "reachable $ip"; fi
done
true`;

export async function assertSandboxesCannotReachHost(driver: SandboxDriver, spec: Omit<SandboxSpec, "role" | "network">): Promise<void> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "0.0.0.0", resolve);
  });
  const port = (server.address() as { port: number }).port;
  try {
    const network = await driver.ensureNetwork(spec);
    const probe = await driver.ensure({ ...spec, role: "probe", network });
    const result = await driver.exec(probe, ["bash", "-c", PROBE_SCRIPT, "probe", String(port)], { timeoutSec: 30, maxOutputBytes: 4096 });
    const reached = result.stdout.toString().match(/reachable (\S+)/g) ?? [];
    if (reached.length > 0) {
      throw new AppError(
        "sandbox_error",
        `Sandboxes can open connections to this host (${reached.join(", ")}), so a task could reach the web app, the database or anything else listening here. Run scripts/setup/sandbox-firewall.sh as root on the Docker host (npm start does it), then start the worker again.`,
      );
    }
  } finally {
    await driver.destroy(spec.attemptId).catch(() => undefined);
    server.close();
  }
}
