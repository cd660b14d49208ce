// Patchbay's answers in a Slack thread: the same answers as in a forge thread (reply-text.ts), written in
// Slack's mrkdwn, with the first changed page's before/after pictures as image blocks.
import type { KnownBlock } from "@slack/types";
import { quote, type ReplyInput, refusedSentence, startedSentence, unpublishedChange } from "./reply-text";

export type SlackReply = { text: string; blocks?: KnownBlock[] };

/** Slack mrkdwn needs &, < and > escaped in text it should not read as markup. */
export function slackEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

const link = (url: string, label: string) => `<${url}|${slackEscape(label)}>`;

export function slackStartedReply(input: ReplyInput): SlackReply {
  return { text: startedSentence(input, (url) => link(url, url)) };
}

export function slackRefusedReply(input: ReplyInput): SlackReply {
  return { text: slackEscape(refusedSentence(input)) };
}

export function slackFinishedReply(input: ReplyInput): SlackReply {
  const task = input.taskUrl ? link(input.taskUrl, "Open the task in Patchbay") : "";
  if (input.error) return { text: join([`The task did not finish: ${slackEscape(input.error)}`, task]) };
  const summary = input.summary?.trim() ? quote(input.summary.trim(), slackEscape) : "";
  const unpublished = unpublishedChange(input);
  const headline = input.pullRequestUrl
    ? `Done: ${link(input.pullRequestUrl, input.pullRequestUrl)}`
    : unpublished
      ? slackEscape(unpublished)
      : "Finished without changing any files.";
  const text = join([headline, summary, task]);
  const picture = input.screenshots?.[0];
  if (!picture || (!input.pullRequestUrl && !unpublished)) return { text };
  const title = `${picture.route} (${picture.viewport})`;
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text } },
      { type: "image", image_url: picture.before, alt_text: `${title} before`, title: { type: "plain_text", text: `Before: ${title}` } },
      { type: "image", image_url: picture.after, alt_text: `${title} after`, title: { type: "plain_text", text: `After: ${title}` } },
    ],
  };
}

const join = (parts: string[]) => parts.filter(Boolean).join("\n\n");
