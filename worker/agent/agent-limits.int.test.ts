// The agent's plan and its limits against the scripted model: a visible checklist, loops stopped with a
// reason, and step/token budgets that end the run cleanly with the partial diff kept.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvironment } from "@/lib/environments/create-environment";
import { createTask } from "@/lib/tasks/create-task";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { startModelServer } from "@/scripts/model-server/server";
import { createFixtureRepo } from "@/test/support/fixture-repo";
import { createUser, startTestWorker, waitForFinishedAttempt, type TestWorker } from "@/test/support/test-worker";

const ADD_FILE = "*** Begin Patch\n*** Add File: partial.txt\n+work in progress\n*** End Patch";

let model: Awaited<ReturnType<typeof startModelServer>>;
let userId: string;
let environmentId: string;
const workers: TestWorker[] = [];

async function run(script: string, steps: unknown[], overrides: Parameters<typeof startTestWorker>[1] = {}) {
  const worker = startTestWorker(model.url, overrides);
  workers.push(worker);
  try {
    model.registerScript(script, { steps } as never);
    const task = await createTask(userId, { environmentId, prompt: `[[script:${script}]] go` });
    const attempt = await waitForFinishedAttempt(task.attemptId);
    const requests = model.requests().filter((request) => JSON.stringify(request.body).includes(`script:${script}`));
    return { task, attempt, requests, events: await listTaskEvents(task.id, 0n) };
  } finally {
    await worker.close();
  }
}

beforeAll(async () => {
  model = await startModelServer({ port: 0 });
  userId = (await createUser()).id;
  environmentId = (await createEnvironment(userId, { name: "limits", repoUrl: createFixtureRepo().url })).id;
});

afterAll(async () => {
  for (const worker of workers) await worker.close().catch(() => undefined);
  await model?.close();
});

describe("agent plan and limits", () => {
  it("shows the agent's plan as it updates it", async () => {
    const { attempt, events, requests } = await run("plan", [
      {
        calls: [
          {
            name: "update_plan",
            arguments: {
              plan: [
                { step: "Read greet.js", status: "in_progress" },
                { step: "Fix it", status: "pending" },
              ],
            },
          },
        ],
      },
      {
        calls: [
          {
            name: "update_plan",
            arguments: {
              explanation: "Read it.",
              plan: [
                { step: "Read greet.js", status: "completed" },
                { step: "Fix it", status: "in_progress" },
              ],
            },
          },
        ],
      },
      {
        calls: [
          {
            name: "update_plan",
            arguments: {
              plan: [
                { step: "a", status: "in_progress" },
                { step: "b", status: "in_progress" },
              ],
            },
          },
        ],
      },
      { say: "Planned." },
    ]);
    expect(attempt.status).toBe("completed");
    const plans = events.flatMap((event) => (event.type === "plan" ? [event.payload] : []));
    expect(plans).toEqual([
      {
        steps: [
          { step: "Read greet.js", status: "in_progress" },
          { step: "Fix it", status: "pending" },
        ],
      },
      {
        explanation: "Read it.",
        steps: [
          { step: "Read greet.js", status: "completed" },
          { step: "Fix it", status: "in_progress" },
        ],
      },
    ]);
    const outputs = ((requests.at(-1)?.body as { input: { type?: string; output?: string }[] }).input ?? [])
      .filter((item) => item.type === "function_call_output")
      .map((item) => item.output);
    expect(outputs).toEqual([
      "Plan updated (0/2 steps completed).",
      "Plan updated (1/2 steps completed).",
      expect.stringContaining("At most one step can be in_progress"),
    ]);
  });

  it("stops an agent that repeats the same command with the same result, keeping its partial diff", async () => {
    const same = { calls: [{ name: "shell", arguments: { command: "cat partial.txt" } }] };
    const { attempt, requests } = await run("loop", [
      { calls: [{ name: "apply_patch", arguments: { patch: ADD_FILE } }] },
      same,
      same,
      same,
      same,
      same,
      { say: "never" },
    ]);
    expect(attempt.status).toBe("failed");
    expect(attempt.error).toContain("repeating itself");
    expect(attempt.patch).toContain("+work in progress");
    // Stopped right after the third identical result: 1 patch + 3 identical calls = 4 model requests.
    expect(requests).toHaveLength(4);
  });

  it("does not mistake the same command with a different result for a loop", async () => {
    const step = { calls: [{ name: "shell", arguments: { command: "date +%N; sleep 0.01" } }] };
    const { attempt } = await run("not-loop", [step, step, step, step, { say: "Done." }]);
    expect(attempt.status).toBe("completed");
  });

  it("ends a run that uses up its steps, keeping the partial diff", async () => {
    const { attempt, requests } = await run(
      "steps",
      [{ calls: [{ name: "apply_patch", arguments: { patch: ADD_FILE } }] }, { calls: [{ name: "shell", arguments: { command: "ls" } }] }, { say: "never" }],
      { maxSteps: 2 },
    );
    expect(attempt.status).toBe("failed");
    expect(attempt.error).toContain("budget of 2 steps");
    expect(attempt.patch).toContain("+work in progress");
    expect(requests).toHaveLength(2);
  });

  it("ends a run that uses up its tokens, keeping the partial diff", async () => {
    const { attempt, requests } = await run(
      "tokens",
      [{ calls: [{ name: "apply_patch", arguments: { patch: ADD_FILE } }] }, { calls: [{ name: "shell", arguments: { command: "ls" } }] }, { say: "never" }],
      { maxTokens: 50 },
    );
    expect(attempt.status).toBe("failed");
    expect(attempt.error).toContain("token budget");
    expect(attempt.inputTokens + attempt.outputTokens).toBeGreaterThan(50);
    expect(attempt.patch).toContain("+work in progress");
    expect(requests).toHaveLength(1);
  });
});

describe("nested AGENTS.md", () => {
  it("adds the instructions of the directories the agent works in, outermost first, once each", async () => {
    const repo = createFixtureRepo({
      "README.md": "# repo\n",
      "AGENTS.md": "Root rules.\n",
      "pkg/AGENTS.md": "Package rules: use tabs.\n",
      "pkg/ui/AGENTS.md": "UI rules: no inline styles.\n",
      "pkg/ui/button.js": "export const label = 'Go';\n",
    });
    const environment = await createEnvironment(userId, { name: "nested", repoUrl: repo.url });
    const worker = startTestWorker(model.url);
    workers.push(worker);
    try {
      model.registerScript("nested", {
        steps: [
          {
            calls: [
              {
                name: "apply_patch",
                arguments: {
                  patch: "*** Begin Patch\n*** Update File: pkg/ui/button.js\n@@\n-export const label = 'Go';\n+export const label = 'Start';\n*** End Patch",
                },
              },
            ],
          },
          { calls: [{ name: "apply_patch", arguments: { patch: "*** Begin Patch\n*** Add File: pkg/ui/icon.js\n+export {};\n*** End Patch" } }] },
          { calls: [{ name: "shell", arguments: { command: "ls", workdir: "pkg" } }] },
          { say: "Done." },
        ],
      });
      const task = await createTask(userId, { environmentId: environment.id, prompt: "[[script:nested]] relabel" });
      expect((await waitForFinishedAttempt(task.attemptId)).status).toBe("completed");
      const last = model
        .requests()
        .filter((request) => JSON.stringify(request.body).includes("script:nested"))
        .at(-1)?.body as {
        instructions: string;
        input: { type?: string; output?: string }[];
      };
      expect(last.instructions).toContain("Root rules.");
      expect(last.instructions).not.toContain("Package rules");
      const outputs = last.input.filter((item) => item.type === "function_call_output").map((item) => item.output ?? "");
      expect(outputs[0]).toMatch(/--- pkg\/AGENTS\.md[^\n]*\nPackage rules: use tabs\.\n--- pkg\/ui\/AGENTS\.md[^\n]*\nUI rules: no inline styles\./);
      expect(outputs[1]).not.toContain("Instructions from AGENTS.md");
      expect(outputs[2]).not.toContain("Instructions from AGENTS.md");
      expect(outputs[2]).toContain("ui");
    } finally {
      await worker.close();
    }
  });
});

describe("reasoning effort", () => {
  it("sends the task's reasoning effort to the model, and nothing when the task leaves it to the model", async () => {
    const worker = startTestWorker(model.url);
    workers.push(worker);
    try {
      model.registerScript("effort", { steps: [{ say: "ok" }] });
      const high = await createTask(userId, { environmentId, prompt: "[[script:effort]] high", reasoningEffort: "high" });
      const plain = await createTask(userId, { environmentId, prompt: "[[script:effort]] plain" });
      await waitForFinishedAttempt(high.attemptId);
      await waitForFinishedAttempt(plain.attemptId);
      const bodyFor = (text: string) => model.requests().find((request) => JSON.stringify(request.body).includes(text))?.body as { reasoning?: unknown };
      expect(bodyFor("[[script:effort]] high").reasoning).toEqual({ effort: "high", summary: "auto" });
      expect(bodyFor("[[script:effort]] plain").reasoning).toBeUndefined();
    } finally {
      await worker.close();
    }
  });
});

describe("context compaction", () => {
  it("compacts near a small context window and the run completes after it", async () => {
    const big = { calls: [{ name: "shell", arguments: { command: "yes a | head -c 3000" } }] };
    const { attempt, events, requests } = await run(
      "compact",
      [
        { ...big, calls: [{ name: "shell", arguments: { command: "yes b | head -c 3000" } }] },
        big,
        { ...big, calls: [{ name: "shell", arguments: { command: "yes c | head -c 3000" } }] },
        { say: "All done." },
      ],
      { contextWindowTokens: 2500 },
    );
    expect(attempt.error).toBeNull();
    expect(attempt.finalMessage).toBe("All done.");
    const compactions = events.flatMap((event) => (event.type === "compaction" ? [event.payload] : []));
    expect(compactions.length).toBeGreaterThanOrEqual(1);
    expect(compactions[0]?.itemsAfter).toBeLessThan(compactions[0]?.itemsBefore ?? 0);
    expect(compactions[0]?.summary).toContain('Handoff: the request was "go"');
    const summaryRequests = requests.filter((request) =>
      String((request.body as { instructions?: string }).instructions).startsWith("Patchbay context compaction."),
    );
    expect(summaryRequests).toHaveLength(compactions.length);
    expect((summaryRequests[0]?.body as { tool_choice?: string }).tool_choice).toBe("none");
    // After compaction the model sees the request, the handoff and only the latest exchange.
    const last = requests.at(-1)?.body as { input: { role?: string; content?: string; type?: string }[] };
    expect(last.input[0]).toMatchObject({ role: "user", content: "[[script:compact]] go" });
    expect(last.input.some((item) => item.role === "assistant" && String(item.content).startsWith("Handoff summary of the work so far"))).toBe(true);
    expect(last.input.filter((item) => item.type === "function_call_output").length).toBeLessThan(3);
  });
});

describe("shell session", () => {
  it("keeps the working directory and exported variables between calls, also after a failing command", async () => {
    const shell = (command: string, extra: Record<string, unknown> = {}) => ({ calls: [{ name: "shell", arguments: { command, ...extra } }] });
    const { attempt, requests } = await run("session", [
      shell("cd src && export GREETING='hello world' && export MULTI=$'a\\nb'"),
      shell('pwd; echo "$GREETING"; echo "$MULTI" | wc -l'),
      shell("cd /tmp && false"),
      shell("pwd", { workdir: "src" }),
      shell('pwd; echo "$PATCHBAY_EXEC" | wc -c'),
      { say: "ok" },
    ]);
    expect(attempt.status).toBe("completed");
    const outputs = ((requests.at(-1)?.body as { input: { type?: string; output?: string }[] }).input ?? [])
      .filter((item) => item.type === "function_call_output")
      .map((item) => item.output ?? "");
    expect(outputs[1]).toBe("Exit code: 0\nOutput:\n/workspace/src\nhello world\n2\n");
    expect(outputs[2]).toBe("Exit code: 1\nOutput: (none)");
    expect(outputs[3]).toBe("Exit code: 0\nOutput:\n/workspace/src\n");
    // The directory carries over from the previous call; each call keeps its own exec tag.
    expect(outputs[4]).toBe("Exit code: 0\nOutput:\n/workspace/src\n17\n");
  });
});

describe("cost budget", () => {
  it("estimates the cost from token prices and stops at the budget, keeping the partial diff", async () => {
    const { attempt, events } = await run(
      "cost",
      [{ calls: [{ name: "apply_patch", arguments: { patch: ADD_FILE } }] }, { calls: [{ name: "shell", arguments: { command: "ls" } }] }, { say: "never" }],
      // $1 per input or output token: the first model call alone is hundreds of tokens.
      { prices: { inputPerMTok: 1_000_000, outputPerMTok: 1_000_000 }, maxCostUsd: 100 },
    );
    expect(attempt.status).toBe("failed");
    expect(attempt.error).toContain("cost budget");
    expect(attempt.costUsd).toBeGreaterThan(100);
    expect(attempt.costUsd).toBe(attempt.inputTokens + attempt.outputTokens);
    expect(attempt.patch).toContain("+work in progress");
    const usage = events.flatMap((event) => (event.type === "usage" ? [event.payload] : []));
    expect(usage.at(-1)?.costUsd).toBe(attempt.costUsd);
  });
});
