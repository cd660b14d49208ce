// The task API's view of an attempt's preview report: the same data with artifact URLs instead of ids.
import { artifactUrl } from "./artifact-queries";
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

function captureDto(outcome: CaptureOutcome): CaptureDto {
  if (outcome.ok) return { url: artifactUrl(outcome.artifactId), status: outcome.status };
  return { error: { reason: outcome.reason, message: outcome.message, ...(outcome.status ? { status: outcome.status } : {}) } };
}

export function toScreenshotsDto(stored: unknown): ScreenshotsDto | null {
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
      before: captureDto(shot.before),
      after: captureDto(shot.after),
      diffUrl: shot.diff ? artifactUrl(shot.diff.artifactId) : null,
    })),
    failures: report.failures,
    blockedRequests: report.blockedRequests,
  };
}
