// Ask mode: a question answered from a read-only checkout, with citations and no diff.
import { expect, it } from "vitest";
import { createEnvironment } from "@/lib/environments/create-environment";
import { createTask } from "@/lib/tasks/create-task";
import { getTask } from "@/lib/tasks/task-queries";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { createUser, waitForFinishedAttempt } from "@/test/support/test-worker";
import { useScriptedWorker } from "@/test/support/scripted-worker";

const scripted = useScriptedWorker();

it("answers from a read-only workspace with only reading tools, leaving no diff", async () => {
  const user = await createUser();
  const environment = await createEnvironment(user.id, { name: "ask", repoUrl: createFixtureRepo().url });
  scripted.model.registerScript("ask", {
    steps: [
      { calls: [{ name: "shell", arguments: { command: "touch new.txt; echo > src/greet.js; rg -n 'Hello' src/greet.js" } }] },
      { say: "`greet` builds the greeting at src/greet.js:2." },
    ],
  });
  const task = await createTask(user.id, { environmentId: environment.id, prompt: "[[script:ask]] Where is the greeting built?", mode: "ask" });
  const attempt = await waitForFinishedAttempt(task.attemptId);

  expect(attempt.status).toBe("completed");
  expect(attempt.finalMessage).toBe("`greet` builds the greeting at src/greet.js:2.");
  expect(attempt.patch).toBe("");
  expect(attempt.filesChanged).toBe(0);
  const dto = await getTask(user.id, task.id);
  expect(dto).toMatchObject({ mode: "ask", status: "completed" });

  const requests = scripted.model.requests().filter((request) => JSON.stringify(request.body).includes("script:ask"));
  const first = requests[0]?.body as { instructions: string; tools: { name: string }[] };
  expect(first.tools.map((tool) => tool.name)).toEqual(["shell", "update_plan"]);
  expect(first.instructions).toContain("read-only");
  expect(first.instructions).toContain("path:line");
  const output =
    ((requests.at(-1)?.body as { input: { type?: string; output?: string }[] }).input ?? []).find((item) => item.type === "function_call_output")?.output ?? "";
  // Writes fail, reading works.
  expect(output).toContain("Read-only file system");
  expect(output).toContain('2:  return "Hello, " + name;');
});
