// Review comments as one turn: line comments on a task's diff are drafts until sent, then reach the model
// together in one follow-up with their file and line; the agent answers each through reply_to_comment and
// the comments show resolved or not. Real queue, sandbox and the scripted model.
import { expect, it } from "vitest";
import { createEnvironment } from "@/lib/environments/create-environment";
import { addReviewComment, deleteReviewComment, listReviewComments, sendReviewComments } from "@/lib/review-comments/review-comments";
import { createTask } from "@/lib/tasks/create-task";
import { getTaskPatch } from "@/lib/tasks/task-queries";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { useScriptedWorker } from "@/test/support/scripted-worker";
import { createUser, waitForFinishedAttempt } from "@/test/support/test-worker";

const scripted = useScriptedWorker();

const addNotes = "*** Begin Patch\n*** Add File: NOTES.md\n+notes\n+todo: everything\n*** End Patch";
const fixNotes = "*** Begin Patch\n*** Update File: NOTES.md\n@@\n-notes\n+# Notes\n*** End Patch";

it("sends every draft comment in one turn with its anchors, and shows the agent's answer to each", async () => {
  const user = await createUser();
  const environment = await createEnvironment(user.id, { name: "review", repoUrl: createFixtureRepo().url });
  scripted.model.registerScript("comments-one", { steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addNotes } }] }, { say: "Added NOTES.md." }] });
  const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:comments-one]] add notes" });
  expect((await waitForFinishedAttempt(task.attemptId)).status).toBe("completed");
  const firstRequests = scripted.model.requests().filter((request) => JSON.stringify(request.body).includes("script:comments-one"));
  // reply_to_comment is offered only in a turn that carries comments.
  expect((firstRequests[0]?.body as { tools: { name: string }[] }).tools.map((tool) => tool.name)).not.toContain("reply_to_comment");

  // Drafts: on lines of files in the diff only; a draft can be removed.
  await expect(addReviewComment(user.id, task.id, { path: "src/nope.js", line: 1, body: "?" })).rejects.toThrow(
    "src/nope.js is not in the task's diff (files: NOTES.md).",
  );
  await expect(addReviewComment(user.id, task.id, { path: "NOTES.md", line: 1, body: "  " })).rejects.toThrow("The comment is empty.");
  const dropped = await addReviewComment(user.id, task.id, { path: "NOTES.md", line: 2, body: "never mind" });
  await deleteReviewComment(user.id, task.id, dropped.id);
  await addReviewComment(user.id, task.id, { path: "NOTES.md", line: 1, body: "Make this a heading. [[script:comments-two]]" });
  await addReviewComment(user.id, task.id, { path: "NOTES.md", line: 2, body: "Say what is left to do." });
  expect((await listReviewComments(user.id, task.id)).map((comment) => [comment.line, comment.state])).toEqual([
    [1, "draft"],
    [2, "draft"],
  ]);

  scripted.model.registerScript("comments-two", {
    steps: [
      { calls: [{ name: "apply_patch", arguments: { patch: fixNotes } }] },
      {
        calls: [
          { name: "reply_to_comment", arguments: { comment: 1, resolved: true, reply: "It is a heading now." } },
          { name: "reply_to_comment", arguments: { comment: 2, resolved: false, reply: "Nothing is left to do, so I kept it." } },
          { name: "reply_to_comment", arguments: { comment: 3, resolved: true, reply: "?" } },
        ],
      },
      { say: "Addressed the review." },
    ],
  });
  const sent = await sendReviewComments(user.id, task.id);
  expect(sent).toMatchObject({ turn: 1, comments: 2 });
  await expect(sendReviewComments(user.id, task.id)).rejects.toThrow(/still running|no draft comments/);
  expect((await waitForFinishedAttempt(sent.attemptId)).status).toBe("completed");

  // One model turn received both comments, numbered, with file and line.
  const turnRequests = scripted.model.requests().filter((request) => JSON.stringify(request.body).includes("script:comments-two"));
  const first = turnRequests[0]?.body as { input: { role?: string; content?: string }[]; tools: { name: string }[] };
  const prompt = first.input.filter((item) => item.role === "user").at(-1)?.content ?? "";
  expect(prompt).toContain("Review comments on your change (2).");
  expect(prompt).toContain("1. NOTES.md, line 1:\n   Make this a heading.");
  expect(prompt).toContain("2. NOTES.md, line 2:\n   Say what is left to do.");
  expect(first.tools.map((tool) => tool.name)).toContain("reply_to_comment");
  // A comment that does not exist goes back to the model as an error.
  const last = turnRequests.at(-1)?.body as { input: { type?: string; output?: string }[] };
  expect(last.input.filter((item) => item.type === "function_call_output").map((item) => item.output)).toContain(
    "Error: There is no comment 3; the comments are numbered 1 to 2.",
  );

  expect((await listReviewComments(user.id, task.id)).map(({ line, state, turn, number, reply }) => ({ line, state, turn, number, reply }))).toEqual([
    { line: 1, state: "resolved", turn: 1, number: 1, reply: "It is a heading now." },
    { line: 2, state: "unresolved", turn: 1, number: 2, reply: "Nothing is left to do, so I kept it." },
  ]);
  expect(await getTaskPatch(user.id, task.id)).toContain("+# Notes");
  await expect(sendReviewComments(user.id, task.id)).rejects.toThrow("There are no draft comments to send.");
});
