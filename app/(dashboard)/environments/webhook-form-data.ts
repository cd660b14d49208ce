// Turns the environment page's automatic review form into the `autoReview` settings: lists are written one
// per line (or comma-separated). Nothing is checked here: autoReviewSchema does, so the page shows its messages.
import { formText } from "@/lib/http/form-fields";

const list = (text: string) =>
  text
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter(Boolean);

export function autoReviewFromForm(form: FormData) {
  return {
    enabled: form.get("autoReviewEnabled") === "on",
    branches: list(formText(form, "autoReviewBranches")),
    paths: list(formText(form, "autoReviewPaths")),
    skipAuthors: list(formText(form, "autoReviewSkipAuthors")),
    drafts: form.get("autoReviewDrafts") === "on",
    minSeverity: formText(form, "autoReviewMinSeverity") || "P3",
  };
}
