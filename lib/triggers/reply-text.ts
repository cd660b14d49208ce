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
  /** Signed links to before/after pictures (the changed ones first), when the task took them. */
  screenshots?: { route: string; viewport: string; before: string; after: string }[];
};

const MAX_SUMMARY = 1500;
const MAX_PICTURES = 2;

const taskLink = (input: ReplyInput) => (input.taskUrl ? `[Open the task in Patchbay](${input.taskUrl})` : "");

export function startedReply(input: ReplyInput): string {
  return `${REPLY_MARKER}\nStarted a task for this request${input.taskUrl ? `: ${input.taskUrl}` : "."} I will answer here when it ends.`;
}

export function refusedReply(input: ReplyInput): string {
  const reason = input.reason ?? "the request was refused";
  // Reasons that quote a message end with its own full stop ("limit reached: …", "not accepted: …"): not two.
  return `${REPLY_MARKER}\nNothing was started: ${reason}${/[.!?]$/.test(reason) ? "" : "."}`;
}

export function finishedReply(input: ReplyInput): string {
  const summary = input.summary?.trim() ? quote(input.summary.trim()) : "";
  if (input.error) return join([`${REPLY_MARKER}\nThe task did not finish: ${input.error}`, taskLink(input)]);
  if (!input.pullRequestUrl) return join([`${REPLY_MARKER}\nFinished without changing any files.`, summary, taskLink(input)]);
  const pictures = (input.screenshots ?? []).slice(0, MAX_PICTURES);
  const table =
    pictures.length > 0
      ? [
          "| Page | Before | After |",
          "|---|---|---|",
          ...pictures.map((shot) => `| \`${shot.route}\` (${shot.viewport}) | ![before](${shot.before}) | ![after](${shot.after}) |`),
        ].join("\n")
      : "";
  return join([`${REPLY_MARKER}\nDone: ${input.pullRequestUrl}`, summary, table, taskLink(input)]);
}

function quote(text: string): string {
  const short = text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY)}…` : text;
  return short
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n");
}

const join = (parts: string[]) => parts.filter(Boolean).join("\n\n");
