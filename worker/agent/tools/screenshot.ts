// `screenshot`: the agent looks at its own UI work. The app runs in a preview sandbox on the attempt's
// workspace (restarted when files changed since the last shot); the worker's browser captures the
// route and the image goes back to the model as an image input, and into the timeline.
import { z } from "zod";
import { ToolFailure, type AgentTool } from "./tool";

const parameters = z.strictObject({
  route: z
    .string()
    .regex(/^\/(?!\/)/, "route must be a path on the app, starting with a single /")
    .max(500)
    .describe("Path of the page to capture, e.g. / or /pricing."),
  viewport: z.string().max(40).optional().describe("Viewport name from the environment (e.g. desktop, mobile). Default: the first."),
});

export const screenshotTool: AgentTool<z.infer<typeof parameters>> = {
  name: "screenshot",
  description:
    "Take a screenshot of a page of the app as it is now in the workspace (the app is started, or restarted after file changes, with the environment's preview commands). Returns the image so you can check your UI change.",
  parameters,
  isMutating: false,
  async run(params, context) {
    const preview = context.preview;
    if (!preview) throw new ToolFailure("This environment has no preview configured, so screenshots are not available.");
    const viewport = params.viewport ? preview.viewports.find((candidate) => candidate.name === params.viewport) : preview.viewports[0];
    if (!viewport) throw new ToolFailure(`Unknown viewport "${params.viewport}". Available: ${preview.viewports.map((v) => v.name).join(", ")}.`);

    const started = Date.now();
    await context.emit({ type: "tool.begin", payload: { callId: context.callId, tool: "screenshot", command: `${params.route} (${viewport.name})` } });
    const shot = await preview.capture(params.route, viewport.name, context.signal);
    await context.emit({
      type: "tool.end",
      payload: { callId: context.callId, tool: "screenshot", ok: shot.ok, durationMs: Date.now() - started, ...(shot.ok ? {} : { error: shot.message }) },
    });
    if (!shot.ok) throw new ToolFailure(`The screenshot failed: ${shot.message}`);
    await context.emit({ type: "screenshot", payload: { route: params.route, viewport: viewport.name, status: "captured", artifactId: shot.artifactId } });
    return [
      { type: "input_text", text: `Screenshot of ${params.route} at ${viewport.name} (${viewport.width}×${viewport.height}), HTTP ${shot.status}.` },
      { type: "input_image", image_url: `data:image/png;base64,${shot.png.toString("base64")}`, detail: "auto" },
    ];
  },
};
