// Turns the environment form's preview fields into a preview config (validated later by its schema).
import { AppError } from "@/lib/errors";
import { DEFAULT_VIEWPORTS, type PreviewConfigInput, type Viewport } from "@/lib/environments/preview-config";
import { formText } from "@/lib/http/form-fields";

function text(form: FormData, name: string): string {
  return formText(form, name).trim();
}

function lines(value: string): string[] {
  return value
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

export function viewportsFromLines(value: string): Viewport[] {
  const entries = lines(value);
  if (entries.length === 0) return DEFAULT_VIEWPORTS;
  return entries.map((line) => {
    const match = /^(\S+)\s+(\d+)\s*[x×]\s*(\d+)$/.exec(line);
    if (!match?.[1]) throw new AppError("bad_request", `Viewport "${line}" should look like "desktop 1280x800".`);
    return { name: match[1], width: Number(match[2]), height: Number(match[3]) };
  });
}

/** Undefined when no start command was given: the environment then has no screenshots. */
export function previewFromForm(form: FormData): PreviewConfigInput | undefined {
  const startCommand = text(form, "previewStartCommand");
  if (!startCommand) return undefined;
  const port = Number(text(form, "previewPort"));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AppError("bad_request", "Preview port must be a number from 1 to 65535.");
  const paths = lines(text(form, "previewRoutes"));
  const installCommand = text(form, "previewInstallCommand");
  return {
    ...(installCommand ? { installCommand } : {}),
    startCommand,
    port,
    readinessPath: text(form, "previewReadinessPath") || "/",
    servesEditsLive: form.get("previewServesEditsLive") === "on",
    routes:
      form.get("previewDetectRoutes") === "on"
        ? { mode: "detect", fallback: paths.length ? paths : ["/"] }
        : { mode: "fixed", paths: paths.length ? paths : ["/"] },
    viewports: viewportsFromLines(text(form, "previewViewports")),
  };
}
