// The preview behind the agent's `screenshot` tool: a "preview-result" sandbox that mounts the agent's
// workspace on the attempt's internal network (the agent's own sandbox keeps no network). It starts on
// the first screenshot and restarts (install + start again) when the workspace changed since, so the
// picture always shows the current files, whatever kind of server the app uses.
import type { PreviewConfig } from "@/lib/environments/preview-config";
import type { AgentPreview } from "@/worker/agent/tools/tool";
import type { SandboxDriver, SandboxHandle, SandboxSpec } from "@/worker/sandbox/driver";
import type { BrowserPool } from "./browser-pool";
import { captureRoute } from "./capture-route";
import { PreviewError, startPreview, type RunningPreview } from "./preview-server";

const CAPTURE_TIMEOUT_MS = 30_000;

export type AgentPreviewInput = {
  driver: SandboxDriver;
  browsers: BrowserPool;
  /** The agent's sandbox, used to fingerprint the workspace. */
  agentSandbox: SandboxHandle;
  spec: Omit<SandboxSpec, "role" | "network">;
  config: PreviewConfig;
  saveScreenshot: (png: Buffer, metadata: Record<string, unknown>) => Promise<{ id: string }>;
};

// Working tree state as git sees it (tracked changes and untracked files), hashed inside the sandbox.
const FINGERPRINT_SCRIPT = "{ git status --porcelain=v1 -uall; git diff; } 2>/dev/null | sha1sum";

export function createAgentPreview(input: AgentPreviewInput): AgentPreview {
  let running: { handle: SandboxHandle; preview: RunningPreview; fingerprint: string } | null = null;
  let network: string | null = null;

  async function fingerprint(signal: AbortSignal): Promise<string> {
    const result = await input.driver.exec(input.agentSandbox, ["bash", "-c", FINGERPRINT_SCRIPT], { timeoutSec: 60, maxOutputBytes: 4096, signal });
    return result.stdout.toString().trim();
  }

  async function ensureRunning(signal: AbortSignal): Promise<RunningPreview> {
    const current = await fingerprint(signal);
    if (running && running.fingerprint === current) return running.preview;
    if (running) await input.driver.release(running.handle);
    running = null;
    network ??= await input.driver.ensureNetwork(input.spec);
    const handle = await input.driver.ensure({ ...input.spec, role: "preview-result", network });
    try {
      const preview = await startPreview(input.driver, handle, { config: input.config, network, signal });
      running = { handle, preview, fingerprint: current };
      return preview;
    } catch (error) {
      await input.driver.release(handle);
      throw error;
    }
  }

  return {
    viewports: input.config.viewports,
    async capture(route, viewportName, signal) {
      const viewport = input.config.viewports.find((candidate) => candidate.name === viewportName);
      if (!viewport) return { ok: false, message: `Unknown viewport "${viewportName}".` };
      let preview: RunningPreview;
      try {
        preview = await ensureRunning(signal);
      } catch (error) {
        if (!(error instanceof PreviewError)) throw error;
        return { ok: false, message: `${error.message}${error.logTail ? `\nServer log (end):\n${error.logTail.slice(-1500)}` : ""}` };
      }
      const shot = await input.browsers.withContext(
        (context) => captureRoute(context, { baseUrl: preview.baseUrl, route, viewport, timeoutMs: CAPTURE_TIMEOUT_MS }),
        {
          baseOrigin: preview.origin,
        },
      );
      if (!shot.ok) return { ok: false, message: shot.message };
      const artifact = await input.saveScreenshot(shot.png, { route, viewport, side: "agent" });
      return { ok: true, png: shot.png, artifactId: artifact.id, status: shot.status };
    },
    async close() {
      if (running) await input.driver.release(running.handle);
      running = null;
    },
  };
}
