// The preview behind the agent's `screenshot` tool: a "preview-result" sandbox that mounts the agent's
// workspace on the attempt's internal network (the agent's own sandbox keeps no network). It runs only
// while the agent is stopped: the agent's sandbox is paused for the whole call and the preview is
// removed before the agent resumes, so nothing the agent left running can use the preview as a relay.
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
  /** The agent's sandbox: paused while the preview of its workspace runs. */
  agentSandbox: SandboxHandle;
  spec: Omit<SandboxSpec, "role" | "network">;
  config: PreviewConfig;
  saveScreenshot: (png: Buffer, metadata: Record<string, unknown>) => Promise<{ id: string }>;
};

export function createAgentPreview(input: AgentPreviewInput): AgentPreview {
  let network: string | null = null;

  /** Starts the app on the agent's current files, runs `use`, and removes the preview again. */
  async function withPreview<T>(signal: AbortSignal, use: (preview: RunningPreview) => Promise<T>): Promise<T> {
    network ??= await input.driver.ensureNetwork(input.spec);
    await input.driver.pause(input.agentSandbox);
    let handle: SandboxHandle | null = null;
    try {
      handle = await input.driver.ensure({ ...input.spec, role: "preview-result", network });
      const preview = await startPreview(input.driver, handle, { config: input.config, network, signal });
      return await use(preview);
    } finally {
      if (handle) await input.driver.release(handle);
      await input.driver.unpause(input.agentSandbox);
    }
  }

  return {
    viewports: input.config.viewports,
    async capture(route, viewportName, signal) {
      const viewport = input.config.viewports.find((candidate) => candidate.name === viewportName);
      if (!viewport) return { ok: false, message: `Unknown viewport "${viewportName}".` };
      let shot: Awaited<ReturnType<typeof captureRoute>>;
      try {
        shot = await withPreview(signal, (preview) =>
          input.browsers.withContext((context) => captureRoute(context, { baseUrl: preview.baseUrl, route, viewport, timeoutMs: CAPTURE_TIMEOUT_MS }), {
            baseOrigin: preview.origin,
          }),
        );
      } catch (error) {
        if (!(error instanceof PreviewError)) throw error;
        return { ok: false, message: `${error.message}${error.logTail ? `\nServer log (end):\n${error.logTail.slice(-1500)}` : ""}` };
      }
      if (!shot.ok) return { ok: false, message: shot.message };
      const artifact = await input.saveScreenshot(shot.png, { route, viewport, side: "agent" });
      return { ok: true, png: shot.png, artifactId: artifact.id, status: shot.status };
    },
    async close() {
      // Each capture removes its preview; nothing is left running between calls.
    },
  };
}
