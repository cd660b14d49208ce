// Follow-ups: a second turn continues from the first turn's changes (restored on the base commit, with
// no container left from the first turn) and the conversation so far; the task's diff accumulates.
import { expect, it } from "vitest";
import { createEnvironment } from "@/lib/environments/create-environment";
import { addFollowUp } from "@/lib/tasks/add-follow-up";
import { createTask } from "@/lib/tasks/create-task";
import { getTask, getTaskPatch } from "@/lib/tasks/task-queries";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { waitForSandboxRemoved } from "@/test/support/sandbox";
import { createUser, waitForFinishedAttempt } from "@/test/support/test-worker";
import { useScriptedWorker } from "@/test/support/scripted-worker";
import { waitFor } from "@/test/support/wait-for";

const scripted = useScriptedWorker();

const addNotes = "*** Begin Patch\n*** Add File: NOTES.md\n+first turn\n*** End Patch";
const editNotes = "*** Begin Patch\n*** Update File: NOTES.md\n@@\n first turn\n+second turn\n*** End Patch";

it("continues a finished task in the same workspace state, accumulating the diff", async () => {
  const user = await createUser();
  const repo = createFixtureRepo();
  const environment = await createEnvironment(user.id, { name: "follow-up", repoUrl: repo.url });
  scripted.model.registerScript("turn-one", { steps: [{ calls: [{ name: "apply_patch", arguments: { patch: addNotes } }] }, { say: "Added NOTES.md." }] });
  const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:turn-one]] add notes" });
  const first = await waitForFinishedAttempt(task.attemptId);
  expect(first.status).toBe("completed");
  await waitForSandboxRemoved(task.attemptId);

  scripted.model.registerScript("turn-two", {
    steps: [
      {
        calls: [
          { name: "shell", arguments: { command: "cat NOTES.md" } },
          { name: "apply_patch", arguments: { patch: editNotes } },
        ],
      },
      { say: "Extended NOTES.md." },
    ],
  });
  const followUp = await addFollowUp(user.id, task.id, { text: "[[script:turn-two]] extend the notes" });
  expect(followUp.turn).toBe(1);
  const second = await waitForFinishedAttempt(followUp.attemptId);
  expect(second.error).toBeNull();
  expect(second.baseCommit).toBe(first.baseCommit);
  expect(second.patch).toContain("+first turn\n+second turn");
  expect(await getTaskPatch(user.id, task.id)).toBe(second.patch);
  expect(await getTask(user.id, task.id)).toMatchObject({ status: "completed", turns: 2 });

  // The model saw the first turn's request and reply before the follow-up, and the restored file.
  const request = scripted.model
    .requests()
    .filter((candidate) => JSON.stringify(candidate.body).includes("script:turn-two"))
    .at(-1)?.body as {
    input: { role?: string; content?: string; type?: string; output?: string }[];
  };
  expect(request.input.slice(0, 3).map((item) => [item.role, item.content])).toEqual([
    ["user", "[[script:turn-one]] add notes"],
    ["assistant", "Added NOTES.md."],
    ["user", "[[script:turn-two]] extend the notes"],
  ]);
  expect(request.input.find((item) => item.type === "function_call_output")?.output).toContain("first turn");

  const turns = (await listTaskEvents(task.id, 0n)).flatMap((event) => (event.type === "turn" ? [event.payload] : []));
  expect(turns).toEqual([
    { index: 0, prompt: "[[script:turn-one]] add notes" },
    { index: 1, prompt: "[[script:turn-two]] extend the notes" },
  ]);
});

it("delivers a message sent while the task runs at the agent's next model call", async () => {
  const user = await createUser();
  const environment = await createEnvironment(user.id, { name: "busy", repoUrl: createFixtureRepo().url });
  scripted.model.registerScript("busy", { steps: [{ calls: [{ name: "shell", arguments: { command: "sleep 3" } }] }, { say: "Switched to tabs." }] });
  const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:busy]] wait" });
  await waitFor("the command to start", async () => (await listTaskEvents(task.id, 0n)).some((event) => event.type === "tool.begin"), 30_000);
  expect(await addFollowUp(user.id, task.id, { text: "Use tabs, not spaces." })).toEqual({ kind: "steer", turn: 0, attemptId: task.attemptId });
  await expect(addFollowUp(user.id, task.id, { text: "  " })).rejects.toThrow("The message is empty.");
  expect((await waitForFinishedAttempt(task.attemptId)).status).toBe("completed");

  const last = scripted.model
    .requests()
    .filter((request) => JSON.stringify(request.body).includes("script:busy"))
    .at(-1)?.body as {
    input: { role?: string; content?: string; type?: string }[];
  };
  // After the command's result, before the model's next answer, exactly once.
  expect(last.input.map((item) => item.type ?? item.role)).toEqual(["user", "function_call", "function_call_output", "user"]);
  expect(last.input.at(-1)?.content).toBe("Use tabs, not spaces.");
  expect((await listTaskEvents(task.id, 0n)).filter((event) => event.type === "steer")).toHaveLength(1);
  await expect(addFollowUp((await createUser()).id, task.id, { text: "hi" })).rejects.toThrow("Task not found");
});
