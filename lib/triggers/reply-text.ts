// What Patchbay says in the thread a request came from: when it starts, when it ends (the summary, the pull
// request, the pictures) and when it will not run (and why). Every reply starts with REPLY_MARKER, so a reply
// quoting the request never reads as a new one.
import { REPLY_MARKER } from "./github-delivery";

export type ReplyInput = {
  taskUrl: string | null;
  reason?: string | null;
  summary?: string | null;
  error?: string | null;
  pullRequestUrl?: string | null;
  /** Files the task changed; with no pull request, the change waits in Patchbay for review. */
  filesChanged?: number | null;
  /** A message in a thread that already has a task: a follow-up turn, or a steer of the running one. */
  continued?: "follow-up" | "steer" | null;
  /** Signed links to before/after pictures (the changed ones first), when the task took them. */
  screenshots?: { route: string; viewport: string; before: string; after: string }[];
};

const MAX_SUMMARY = 1500;
const MAX_PICTURES = 2;

const taskLink = (input: ReplyInput) => (input.taskUrl ? `[Open the task in Patchbay](${input.taskUrl})` : "");

export function startedReply(input: ReplyInput): string {
  return `${REPLY_MARKER}\n${startedSentence(input)}`;
}

/** The "started" answer in words, without markup (Slack's answers use it too). */
export function startedSentence(input: ReplyInput, linkTo: (url: string) => string = (url) => url): string {
  const link = input.taskUrl ? `: ${linkTo(input.taskUrl)}` : ".";
  if (input.continued === "steer") return `Passed this to the running task${link} It reads it before its next step.`;
  if (input.continued === "follow-up") return `Continuing the task with this message${link} I will answer here when it ends.`;
  return `Started a task for this request${link} I will answer here when it ends.`;
}

/** Where a finished task's change is when no pull request was opened for it. */
export function unpublishedChange(input: ReplyInput): string | null {
  if (input.pullRequestUrl || !input.filesChanged) return null;
  const files = `${input.filesChanged} file${input.filesChanged === 1 ? "" : "s"}`;
  return `Done: ${files} changed. Review the change and open a pull request from the task in Patchbay.`;
}

export function refusedReply(input: ReplyInput): string {
  return `${REPLY_MARKER}\n${refusedSentence(input)}`;
}

export function refusedSentence(input: ReplyInput): string {
  const reason = input.reason ?? "the request was refused";
  // Reasons that quote a message end with its own full stop ("limit reached: …", "not accepted: …"): not two.
  return `Nothing was started: ${reason}${/[.!?]$/.test(reason) ? "" : "."}`;
}

export function finishedReply(input: ReplyInput): string {
  const summary = input.summary?.trim() ? quote(input.summary.trim()) : "";
  if (input.error) return join([`${REPLY_MARKER}\nThe task did not finish: ${input.error}`, taskLink(input)]);
  const unpublished = unpublishedChange(input);
  if (unpublished) return join([`${REPLY_MARKER}\n${unpublished}`, summary, table(input), taskLink(input)]);
  if (!input.pullRequestUrl) return join([`${REPLY_MARKER}\nFinished without changing any files.`, summary, taskLink(input)]);
  return join([`${REPLY_MARKER}\nDone: ${input.pullRequestUrl}`, summary, table(input), taskLink(input)]);
}

/** Up to two before/after pictures as a Markdown table. */
function table(input: ReplyInput): string {
  const pictures = (input.screenshots ?? []).slice(0, MAX_PICTURES);
  if (pictures.length === 0) return "";
  return [
    "| Page | Before | After |",
    "|---|---|---|",
    ...pictures.map((shot) => `| \`${shot.route}\` (${shot.viewport}) | ![before](${shot.before}) | ![after](${shot.after}) |`),
  ].join("\n");
}

/** The summary as a quote (at most MAX_SUMMARY characters); `escapeLine` makes each line safe for the markup. */
export function quote(text: string, escapeLine: (line: string) => string = (line) => line): string {
  const short = text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY)}…` : text;
  return short
    .split("\n")
    .map((line) => `> ${escapeLine(line)}`)
    .join("\n");
}

const join = (parts: string[]) => parts.filter(Boolean).join("\n\n");
