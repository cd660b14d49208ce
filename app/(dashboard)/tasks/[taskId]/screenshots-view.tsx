import type { ScreenshotsDto } from "@/lib/artifacts/screenshots-dto";
import { ArtifactImage } from "@/components/artifact-image";
import { formatRatio } from "@/components/format-ratio";

type Shot = ScreenshotsDto["shots"][number];
type Capture = Shot["before"];

/**
 * Before/after pictures per route and viewport with the difference overlay; unchanged ones collapsed.
 * `plain` leaves out server logs (copywriters get the message, not the log).
 */
export function ScreenshotsView({ screenshots, plain = false }: { screenshots: ScreenshotsDto; plain?: boolean }) {
  return (
    <div data-testid="screenshots">
      {screenshots.failures.map((failure) => (
        <div key={failure.side} className="error" data-testid="preview-failure">
          <strong>
            Preview {failure.side === "before" ? "of the base commit" : "with the changes"} failed ({failure.stage}):
          </strong>{" "}
          {failure.message}
          {!plain && failure.logTail && <pre className="log">{failure.logTail}</pre>}
        </div>
      ))}
      {screenshots.shots.map((shot) => (
        <details key={`${shot.route} ${shot.viewport.name}`} className="shot" open={shot.status !== "unchanged"} data-testid="shot" data-status={shot.status}>
          <summary>
            <code>{shot.route}</code> · {shot.viewport.name} ({shot.viewport.width}×{shot.viewport.height}) ·{" "}
            <span className={`badge ${shot.status === "changed" ? "running" : shot.status === "failed" ? "failed" : "completed"}`}>
              {shot.status === "changed" && shot.changedRatio !== null ? `changed: ${formatRatio(shot.changedRatio)}` : shot.status}
            </span>
          </summary>
          <div className="shot-grid">
            <Picture title="Before" capture={shot.before} route={shot.route} />
            <Picture title="After" capture={shot.after} route={shot.route} />
            {shot.diffUrl && (
              <figure>
                <figcaption>Difference</figcaption>
                <ArtifactImage src={shot.diffUrl} alt={`Pixel difference on ${shot.route}`} data-testid="shot-diff" />
              </figure>
            )}
          </div>
        </details>
      ))}
    </div>
  );
}

function Picture({ title, capture, route }: { title: string; capture: Capture; route: string }) {
  return (
    <figure>
      <figcaption>{title}</figcaption>
      {"url" in capture ? (
        <ArtifactImage src={capture.url} alt={`${title}: ${route}`} data-testid={`shot-${title.toLowerCase()}`} />
      ) : (
        <p className="error">{capture.error.message}</p>
      )}
    </figure>
  );
}
