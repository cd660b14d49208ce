// Steps the pull request tests share, whichever forge they run against: a scripted task run to the end,
// waiting for a publish or a review post to settle, and the patches the tests apply.
import { expect } from "vitest";
import { db } from "@/lib/db";
import { createTask } from "@/lib/tasks/create-task";
import { getTask } from "@/lib/tasks/task-queries";
import type { startModelServer } from "@/scripts/model-server/server";
import { waitForFinishedAttempt } from "./test-worker";
import { waitFor } from "./wait-for";

type ModelServer = Awaited<ReturnType<typeof startModelServer>>;

export const addGreeting = '*** Begin Patch\n*** Update File: src/greet.js\n@@\n-  return "Hello, " + name;\n+  return `Hello, ${name}!`;\n*** End Patch';
export const addNotes = "*** Begin Patch\n*** Add File: NOTES.md\n+Greeting uses a template literal.\n*** End Patch";

/** Runs the scripted task `script` (one change, then `say`) to completion. */
export async function finishedTask(model: ModelServer, userId: string, environmentId: string, script: string, patch: string, say: string, prompt: string) {
  model.registerScript(script, { steps: [{ calls: [{ name: "apply_patch", arguments: { patch } }] }, { say }] });
  const created = await createTask(userId, { environmentId, prompt: `[[script:${script}]] ${prompt}` });
  expect((await waitForFinishedAttempt(created.attemptId)).status).toBe("completed");
  const { title } = await db().task.findUniqueOrThrow({ where: { id: created.id }, select: { title: true } });
  return { id: created.id, title };
}

/** The PR row once the last publish requested has ended (pushed, opened or failed), and `done` holds. */
export async function settledPullRequest(taskId: string, done: (row: { turns: number; error: string | null }) => boolean = () => true) {
  return waitFor(
    `the pull request of task ${taskId} to be published`,
    async () => {
      const row = await db().pullRequest.findUnique({ where: { taskId } });
      return row?.settledAt && row.settledAt >= row.requestedAt && done(row) ? row : null;
    },
    90_000,
    200,
  );
}

/** The review's post once the worker has answered it (posted or failed). */
export async function reviewPostOutcome(userId: string, reviewTaskId: string) {
  return waitFor(
    "the review to be posted",
    async () => {
      const post = (await getTask(userId, reviewTaskId)).attempt?.reviewPost;
      return post && post.status !== "queued" ? post : null;
    },
    60_000,
    200,
  );
}

/** An imitation's API requests as "METHOD path status", oldest first. */
export const apiCalls = (imitation: { requests(): { method: string; path: string; status: number }[] }) =>
  imitation.requests().map((request) => `${request.method} ${request.path} ${request.status}`);
