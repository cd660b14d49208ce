// `reply_to_comment`: in a turn that carries a reviewer's line comments, the agent answers each one —
// resolved or not, and why — and the task page shows the answer next to the comment. Only offered in
// such turns; it changes nothing in the workspace.
import { z } from "zod";
import { ToolFailure, type AgentTool } from "./tool";

const parameters = z.strictObject({
  comment: z.number().int().min(1).describe("The comment's number, as listed in the request."),
  resolved: z.boolean().describe("true when your change addresses the comment; false when it does not (say why)."),
  reply: z.string().min(1).max(2000).describe("One or two sentences for the reviewer: what you changed, or why not."),
});

export type CommentReplies = {
  comments: readonly { number: number; path: string; line: number }[];
  record(number: number, answer: { resolved: boolean; reply: string }): Promise<boolean>;
};

export function replyToCommentTool(replies: CommentReplies): AgentTool<z.infer<typeof parameters>> {
  return {
    name: "reply_to_comment",
    description:
      "Answer one of the reviewer's numbered line comments from this request: whether your change resolves it, and a short reply. Call it once per comment after making your changes.",
    parameters,
    isMutating: false,
    async run(params, context) {
      const comment = replies.comments.find((candidate) => candidate.number === params.comment);
      if (!comment) throw new ToolFailure(`There is no comment ${params.comment}; the comments are numbered 1 to ${replies.comments.length}.`);
      await context.emit({ type: "tool.begin", payload: { callId: context.callId, tool: "reply_to_comment" } });
      await replies.record(comment.number, { resolved: params.resolved, reply: params.reply });
      await context.emit({
        type: "tool.end",
        payload: {
          callId: context.callId,
          tool: "reply_to_comment",
          ok: true,
          durationMs: 0,
          summary: `comment ${comment.number} (${comment.path}:${comment.line}): ${params.resolved ? "resolved" : "not resolved"}`,
        },
      });
      return `Recorded your answer to comment ${comment.number} (${comment.path}, line ${comment.line}) as ${params.resolved ? "resolved" : "not resolved"}.`;
    },
  };
}
