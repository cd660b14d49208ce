// A review's findings as one forge review: findings whose lines are in the diff become inline comments (with
// a suggestion block where the agent gave a replacement), the rest are listed in the review's body, since a
// forge refuses comments on lines the pull request does not show.
import { parsePatch } from "diff";
import type { FindingDto } from "./review-findings";

/**
 * An inline comment on the changed file's `line` (from `startLine` for a range). `oldLine` is the same line's
 * number in the base when it is an unchanged (context) line, null when it was added: GitLab anchors a comment
 * on an unchanged line by both numbers.
 */
export type ReviewComment = { path: string; line: number; startLine: number | null; oldLine: number | null; body: string };

/**
 * Per file, the lines of the changed file that the diff shows (added and context lines), each with its line
 * in the base file for a context line and null for an added one.
 */
export function visibleNewLines(patch: string): Map<string, Map<number, number | null>> {
  const visible = new Map<string, Map<number, number | null>>();
  for (const file of parsePatch(patch)) {
    const name = (file.newFileName ?? "").replace(/^b\//, "");
    if (!name || name === "/dev/null") continue;
    const lines = visible.get(name) ?? new Map<number, number | null>();
    for (const hunk of file.hunks) {
      let line = hunk.newStart;
      let oldLine = hunk.oldStart;
      for (const text of hunk.lines) {
        if (text.startsWith("\\")) continue;
        if (text.startsWith("-")) {
          oldLine += 1;
          continue;
        }
        const added = text.startsWith("+");
        lines.set(line, added ? null : oldLine);
        line += 1;
        if (!added) oldLine += 1;
      }
    }
    visible.set(name, lines);
  }
  return visible;
}

export function findingComment(finding: FindingDto): string {
  const parts = [`**${finding.severity}: ${finding.title}**`, finding.body];
  if (finding.suggestion !== null) parts.push(`\`\`\`suggestion\n${finding.suggestion.replace(/\n$/, "")}\n\`\`\``);
  return parts.join("\n\n");
}

export function reviewPost(findings: readonly FindingDto[], patch: string, summary: string | null): { body: string; comments: ReviewComment[] } {
  const visible = visibleNewLines(patch);
  const comments: ReviewComment[] = [];
  const outside: FindingDto[] = [];
  for (const finding of findings) {
    const lines = visible.get(finding.path);
    let shown = lines !== undefined;
    for (let line = finding.startLine; shown && line <= finding.endLine; line += 1) shown = lines?.has(line) === true;
    if (shown) {
      comments.push({
        path: finding.path,
        line: finding.endLine,
        startLine: finding.startLine === finding.endLine ? null : finding.startLine,
        oldLine: lines?.get(finding.endLine) ?? null,
        body: findingComment(finding),
      });
    } else {
      outside.push(finding);
    }
  }
  const sections = [`Patchbay review: ${findings.length === 0 ? "no findings" : `${findings.length} finding(s)`}.`];
  if (summary?.trim()) sections.push(summary.trim());
  if (outside.length > 0) {
    sections.push(
      [
        "Findings on lines this pull request does not show:",
        ...outside.map(
          (finding) =>
            `- **${finding.severity}** \`${finding.path}:${finding.startLine}${finding.endLine !== finding.startLine ? `-${finding.endLine}` : ""}\` ${finding.title}: ${finding.body}`,
        ),
      ].join("\n"),
    );
  }
  return { body: sections.join("\n\n"), comments };
}
