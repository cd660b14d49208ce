// What a pull request says: its branch name, commit messages, title and body, written from the whole
// change (the agent's summary, the files, the check result) so a reviewer on the forge needs nothing else.
import { parsePatch } from "diff";

/** GitHub's limit for a PR body is 65,536 characters; the others allow more. Kept under it everywhere. */
const MAX_BODY_CHARS = 60_000;
const MAX_TITLE_CHARS = 120;
const MAX_FILES_LISTED = 50;

/** `patchbay/<slug>-<short id>`: readable in a branch list, unique per task. */
export function pullRequestBranch(title: string, taskId: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  const shortId = taskId.slice(-8).toLowerCase();
  return `patchbay/${slug ? `${slug}-` : ""}${shortId}`;
}

export type FileStat = { path: string; added: number; removed: number };

/** Each file a unified diff touches, with its added and removed lines (binary files count 0). */
export function patchFileStats(patch: string): FileStat[] {
  return parsePatch(patch).map((file) => {
    const name = file.newFileName && file.newFileName !== "/dev/null" ? file.newFileName : (file.oldFileName ?? "");
    let added = 0;
    let removed = 0;
    for (const hunk of file.hunks) {
      for (const line of hunk.lines) {
        if (line.startsWith("+")) added += 1;
        else if (line.startsWith("-")) removed += 1;
      }
    }
    return { path: name.replace(/^[ab]\//, ""), added, removed };
  });
}

export type PullRequestTextInput = {
  taskTitle: string;
  /** Each turn's request and the agent's answer, oldest first. */
  turns: { prompt: string; reply: string | null }[];
  patch: string;
  check: { command: string; passed: boolean } | null;
  /** Link back to the task in Patchbay, when PATCHBAY_PUBLIC_URL is set. */
  taskUrl: string | null;
  /** Before/after pictures by signed, expiring links (empty without PATCHBAY_PUBLIC_URL or a preview). */
  screenshots?: { route: string; viewport: string; before: string; after: string; changed: boolean }[];
  /** When those links stop working. */
  linksExpire?: Date;
  /** The issue whose comment asked for the change: the forge closes it when the PR merges. */
  closesIssue?: number | null;
};

export function pullRequestTitle(taskTitle: string): string {
  const oneLine = taskTitle.replace(/\s+/g, " ").trim() || "Change by Patchbay";
  return oneLine.length > MAX_TITLE_CHARS ? `${oneLine.slice(0, MAX_TITLE_CHARS - 1)}…` : oneLine;
}

export function pullRequestBody(input: PullRequestTextInput): string {
  const files = patchFileStats(input.patch);
  const latest = input.turns.at(-1);
  const sections: string[] = [];
  sections.push(latest?.reply?.trim() || "(The agent gave no summary.)");
  if (input.turns.length > 1) {
    sections.push(["### Requests", ...input.turns.map((turn, index) => `${index + 1}. ${quoteLine(turn.prompt)}`)].join("\n"));
  }
  const listed = files.slice(0, MAX_FILES_LISTED).map((file) => `- \`${file.path}\` (+${file.added} −${file.removed})`);
  if (files.length > MAX_FILES_LISTED) listed.push(`- … and ${files.length - MAX_FILES_LISTED} more`);
  sections.push([`### Files (${files.length})`, ...listed].join("\n"));
  if (input.check) sections.push(`### Check\n\`${input.check.command}\`: ${input.check.passed ? "passed" : "**failed**"}`);
  const shots = input.screenshots ?? [];
  if (shots.length > 0) {
    const rows = shots.map(
      (shot) => `| \`${shot.route}\` (${shot.viewport})${shot.changed ? "" : ", unchanged"} | ![before](${shot.before}) | ![after](${shot.after}) |`,
    );
    const expiry = input.linksExpire ? `\n\nThe pictures' links work until ${input.linksExpire.toISOString().slice(0, 10)}; publishing again renews them.` : "";
    sections.push(["### Screenshots", "| Page | Before | After |", "|---|---|---|", ...rows].join("\n") + expiry);
  }
  if (input.closesIssue) sections.push(`Closes #${input.closesIssue}`);
  sections.push(
    input.taskUrl
      ? `---\nOpened by Patchbay from [this task](${input.taskUrl}), where the timeline and the before/after screenshots are.`
      : "---\nOpened by Patchbay.",
  );
  const body = sections.join("\n\n");
  return body.length > MAX_BODY_CHARS ? `${body.slice(0, MAX_BODY_CHARS)}\n\n(Shortened to fit the forge's limit.)` : body;
}

/** The commit message of one turn: its request as the subject, the agent's answer as the body. */
export function commitMessage(input: { prompt: string; reply: string | null; turn: number }): string {
  const subject = quoteLine(input.prompt).slice(0, 72) || `Patchbay turn ${input.turn}`;
  const body = input.reply?.trim();
  return body ? `${subject}\n\n${body.slice(0, 8000)}\n` : `${subject}\n`;
}

function quoteLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
