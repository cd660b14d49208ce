// How to run an environment's app for screenshots: commands, port, readiness path, routes, viewports.
// Stored as JSON on the environment; parsed with this schema wherever it is read or written.
import { z } from "zod";

const routePath = z
  .string()
  .regex(/^\/[^\s]*$/, "Routes are paths that start with / (e.g. /pricing), with no spaces.")
  .max(500);

export const viewportSchema = z.strictObject({
  name: z.string().trim().min(1).max(40),
  width: z.number().int().min(200).max(3840),
  height: z.number().int().min(200).max(2160),
});
export type Viewport = z.infer<typeof viewportSchema>;

export const DEFAULT_VIEWPORTS: Viewport[] = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "mobile", width: 390, height: 844 },
];

export const previewConfigSchema = z.strictObject({
  /** Runs once in the preview sandbox before start, e.g. `npm ci && npm run build`. */
  installCommand: z.string().trim().max(4096).optional(),
  startCommand: z.string().trim().min(1, "A start command is required, e.g. `npm start`.").max(4096),
  port: z.number().int().min(1).max(65535),
  readinessPath: routePath.default("/"),
  /** "fixed": always these routes. "detect": routes guessed from the changed files, else the fallback. */
  routes: z.discriminatedUnion("mode", [
    z.strictObject({ mode: z.literal("fixed"), paths: z.array(routePath).min(1).max(20) }),
    z.strictObject({ mode: z.literal("detect"), fallback: z.array(routePath).min(1).max(20) }),
  ]),
  viewports: z.array(viewportSchema).min(1).max(4).default(DEFAULT_VIEWPORTS),
  /**
   * The app shows an edited file on the next page load, with no restart and no build (a server that reads
   * its files per request, or a dev server that serves edits at once). Copy changes are then previewed on
   * an app kept running at the branch head (worker/verify/warm-previews.ts), without installing and
   * starting it again. Off when the install command builds what the app serves.
   */
  servesEditsLive: z.boolean().default(false),
  installTimeoutSec: z.number().int().min(10).max(3600).default(600),
  startTimeoutSec: z.number().int().min(5).max(600).default(120),
});
export type PreviewConfig = z.infer<typeof previewConfigSchema>;
export type PreviewConfigInput = z.input<typeof previewConfigSchema>;
