// The task API's view of an attempt's preview report: the same data with artifact URLs instead of ids.
import { ARTIFACT_REMOVED_MESSAGE, artifactUrl } from "./artifact-queries";
import { previewReportSchema, shotStatus, type CaptureOutcome, type PreviewFailure } from "./preview-report";

type CaptureDto = { url: string; status: number } | { error: { reason: string; message: string; status?: number } };

export type ScreenshotsDto = {
  routes: string[];
  shots: {
    route: string;
    viewport: { name: string; width: number; height: number };
    status: "changed" | "unchanged" | "failed";
    changedRatio: number | null;
    before: CaptureDto;
    after: CaptureDto;
    diffUrl: string | null;
  }[];
  failures: PreviewFailure[];
  blockedRequests: string[];
};

function captureDto(outcome: CaptureOutcome, removed: ReadonlySet<string>): CaptureDto {
  if (outcome.ok && removed.has(outcome.artifactId)) return { error: { reason: "removed", message: ARTIFACT_REMOVED_MESSAGE } };
  if (outcome.ok) return { url: artifactUrl(outcome.artifactId), status: outcome.status };
  return { error: { reason: outcome.reason, message: outcome.message, ...(outcome.status ? { status: outcome.status } : {}) } };
}

/** `removed`: ids of artifacts whose bytes were pruned (prune-artifacts.ts). */
export function toScreenshotsDto(stored: unknown, removed: ReadonlySet<string> = new Set()): ScreenshotsDto | null {
  const parsed = previewReportSchema.safeParse(stored);
  if (!parsed.success) return null;
  const report = parsed.data;
  return {
    routes: report.routes,
    shots: report.shots.map((shot) => ({
      route: shot.route,
      viewport: shot.viewport,
      status: shotStatus(shot),
      changedRatio: shot.diff?.changedRatio ?? null,
      before: captureDto(shot.before, removed),
      after: captureDto(shot.after, removed),
      diffUrl: shot.diff && !removed.has(shot.diff.artifactId) ? artifactUrl(shot.diff.artifactId) : null,
    })),
    failures: report.failures,
    blockedRequests: report.blockedRequests,
  };
}
