// Best-of-N: four attempts in four sandboxes that never see each other's files, ranked by the
// environment's check; the person's selection decides the task's diff and what a follow-up continues.
import { expect, it } from "vitest";
import { createEnvironment } from "@/lib/environments/create-environment";
import { addFollowUp } from "@/lib/tasks/add-follow-up";
import { createTask } from "@/lib/tasks/create-task";
import { selectAttempt } from "@/lib/tasks/select-attempt";
import { getTask, getTaskPatch } from "@/lib/tasks/task-queries";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { createUser, waitForFinishedAttempt } from "@/test/support/test-worker";
import { useScriptedWorker } from "@/test/support/scripted-worker";

const scripted = useScriptedWorker();

it("runs isolated attempts, recommends by the check, and follows the selection", async () => {
  const user = await createUser();
  const environment = await createEnvironment(user.id, {
    name: "best of n",
    repoUrl: createFixtureRepo().url,
    checkCommand: "test -s seen.txt && echo check ok",
  });
  // Each attempt counts the markers it can see (another attempt's would show up) and leaves its own.
  scripted.model.registerScript("best", {
    steps: [
      {
        calls: [
          {
            name: "shell",
            arguments: { command: "ls marker-* 2>/dev/null | wc -l > seen.txt; touch marker-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \\n')" },
          },
        ],
      },
      { say: "Left a marker." },
    ],
  });
  const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:best]] leave a marker", attempts: 4 });
  expect(task.attemptIds).toHaveLength(4);
  const attempts = await Promise.all(task.attemptIds.map((id) => waitForFinishedAttempt(id, 120_000)));

  const markers = attempts.map((attempt) => /b\/(marker-[0-9a-f]+)/.exec(attempt.patch ?? "")?.[1]);
  for (const attempt of attempts) {
    expect(attempt.status).toBe("completed");
    expect(attempt.checkPassed).toBe(true);
    expect(attempt.patch).toContain("+++ b/seen.txt\n@@ -0,0 +1 @@\n+0\n");
  }
  expect(new Set(markers).size).toBe(4);

  const dto = await getTask(user.id, task.id);
  expect(dto.status).toBe("completed");
  expect(dto.attempts.map((attempt) => attempt.index)).toEqual([0, 1, 2, 3]);
  expect(dto.recommendedAttempt).toBe(0);
  expect(dto.selectedAttempt).toBeNull();

  await expect(selectAttempt(user.id, task.id, 7)).rejects.toThrow("has no attempt 7");
  expect(await selectAttempt(user.id, task.id, 2)).toEqual({ selected: 2 });
  expect((await getTask(user.id, task.id)).attempt?.index).toBe(2);
  expect(await getTaskPatch(user.id, task.id)).toBe(attempts[2]?.patch);

  // A follow-up continues from the selected attempt's changes.
  scripted.model.registerScript("after-best", { steps: [{ calls: [{ name: "shell", arguments: { command: "ls marker-*" } }] }, { say: "Listed." }] });
  const followUp = await addFollowUp(user.id, task.id, { text: "[[script:after-best]] which marker?" });
  const next = await waitForFinishedAttempt(followUp.attemptId);
  expect(next.patch).toContain(`diff --git a/${markers[2]} b/${markers[2]}`);
  expect(next.patch).not.toContain(`diff --git a/${markers[0]} `);
});

it("refuses selecting an attempt that did not complete, and more than four attempts", async () => {
  const user = await createUser();
  const environment = await createEnvironment(user.id, { name: "limits", repoUrl: createFixtureRepo().url });
  await expect(createTask(user.id, { environmentId: environment.id, prompt: "x", attempts: 5 })).rejects.toThrow("attempts must be 1 to 4.");
  scripted.model.registerScript("fails", { steps: [{ fault: "http-401" }] });
  const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:fails]] go", attempts: 2 });
  for (const id of task.attemptIds) await waitForFinishedAttempt(id);
  await expect(selectAttempt(user.id, task.id, 1)).rejects.toThrow("only a completed attempt can be selected");
  expect((await getTask(user.id, task.id)).status).toBe("failed");
});
