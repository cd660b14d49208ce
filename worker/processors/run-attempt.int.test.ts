// A task end to end through the real queue, a real hardened sandbox, the real openai SDK against the
// scripted model server, and back out as a patch that applies to a clean clone.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvironment } from "@/lib/environments/create-environment";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { createTask } from "@/lib/tasks/create-task";
import { startModelServer } from "@/scripts/model-server/server";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";
import { waitForSandboxRemoved } from "@/test/support/sandbox";
import { createUser, startTestWorker, waitForFinishedAttempt, type TestWorker } from "@/test/support/test-worker";

const PATCH = `*** Begin Patch
*** Update File: src/greet.js
@@ export function greet(name) {
-  return "Hello, " + name;
+  return \`Hello, \${name}!\`;
*** Add File: docs/notes.md
+# Notes
+Added by the agent; it's "quoted" & <b>escaped</b>.
*** End Patch`;

let model: Awaited<ReturnType<typeof startModelServer>>;
let worker: TestWorker;
let repo: FixtureRepo;
let userId: string;
let environmentId: string;

beforeAll(async () => {
  model = await startModelServer({ port: 0 });
  worker = startTestWorker(model.url);
  repo = createFixtureRepo();
  userId = (await createUser()).id;
  environmentId = (await createEnvironment(userId, { name: "fixture", repoUrl: repo.url, defaultBranch: "main", instructions: "Prefer template literals." }))
    .id;
});

afterAll(async () => {
  await worker?.close();
  await model?.close();
});

describe("run attempt", () => {
  it("runs the agent in the sandbox and stores a patch that applies to a clean clone", async () => {
    model.registerScript("edit-greet", {
      steps: [
        { say: "Looking around.", calls: [{ name: "shell", arguments: { command: "id -u; cat src/greet.js; cat AGENTS.md" } }] },
        { calls: [{ name: "apply_patch", arguments: { patch: PATCH } }] },
        { calls: [{ name: "shell", arguments: { command: "git status --short" } }] },
        { say: "Changed src/greet.js to use a template literal and added docs/notes.md." },
      ],
    });
    const task = await createTask(userId, { environmentId, prompt: "[[script:edit-greet]] Use a template literal in greet" });
    const attempt = await waitForFinishedAttempt(task.attemptId);

    expect(attempt.error).toBeNull();
    expect(attempt.status).toBe("completed");
    expect(attempt.baseCommit).toBe(repo.baseCommit);
    expect(attempt.finalMessage).toContain("template literal");
    expect(attempt.filesChanged).toBe(2);
    expect(attempt.additions).toBe(3);
    expect(attempt.deletions).toBe(1);
    expect(attempt.patch).toContain("+++ b/docs/notes.md");
    expect(attempt.patch).toContain("+  return `Hello, ${name}!`;");

    // The patch applies with plain `git apply` on a clean clone of the base commit.
    const clone = mkdtempSync(path.join(tmpdir(), "patchbay-apply-"));
    git(clone, "clone", "-q", repo.dir, ".");
    const patchFile = path.join(clone, "..", `${path.basename(clone)}.patch`);
    writeFileSync(patchFile, attempt.patch ?? "");
    git(clone, "apply", "--check", patchFile);
    git(clone, "apply", patchFile);
    expect(execFileSync("cat", [path.join(clone, "src/greet.js")], { encoding: "utf8" })).toContain("`Hello, ${name}!`");

    // The timeline: ordered, paired tool events, the command's real output, and no leaked key.
    const events = await listTaskEvents(task.id, 0n);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 2)).toEqual(["turn", "status"]);
    expect(types).toContain("tool.begin");
    expect(types).toContain("tool.output");
    expect(types).toContain("diff");
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    const begins = events.filter((event) => event.type === "tool.begin").map((event) => (event.payload as { callId: string }).callId);
    const ends = events.filter((event) => event.type === "tool.end").map((event) => (event.payload as { callId: string }).callId);
    expect(ends).toEqual(begins);
    const output = events.flatMap((event) => (event.type === "tool.output" ? [event.payload.chunk] : [])).join("");
    expect(output).toContain("1000\n");
    expect(output).toContain('return "Hello, " + name;');
    const patchEnd = events.find((event) => event.type === "tool.end" && event.payload.tool === "apply_patch");
    expect(patchEnd?.type === "tool.end" && patchEnd.payload.files).toEqual([
      { path: "src/greet.js", added: 1, removed: 1 },
      { path: "docs/notes.md", added: 2, removed: 0 },
    ]);
    expect(JSON.stringify(events)).not.toContain("sk-test-key-do-not-leak");
    expect(events.at(-1)).toMatchObject({ type: "status", payload: { status: "completed" } });

    // The model saw the environment's instructions, the repo's AGENTS.md and the tool results.
    const requests = model.requests().filter((request) => JSON.stringify(request.body).includes("script:edit-greet"));
    const first = requests[0]?.body as { instructions: string; tools: { name: string }[] };
    expect(first.instructions).toContain("Prefer template literals.");
    expect(first.instructions).toContain("Run `node --test` before finishing.");
    expect(first.tools.map((tool) => tool.name)).toEqual(["shell", "apply_patch", "update_plan"]);
    const last = requests.at(-1)?.body as { input: { type?: string; output?: string }[] };
    const outputs = last.input.filter((item) => item.type === "function_call_output").map((item) => item.output ?? "");
    expect(outputs[0]).toMatch(/^Exit code: 0/);
    expect(outputs[1]).toContain("M src/greet.js");
    expect(outputs[2]).toContain("?? docs/");

    await waitForSandboxRemoved(task.attemptId);
  });

  it("returns a malformed patch to the model as an error and changes nothing", async () => {
    model.registerScript("bad-patch", {
      steps: [
        { calls: [{ name: "apply_patch", arguments: { patch: "*** Begin Patch\n*** Update File: src/greet.js\n@@\n-no such line\n+x\n*** End Patch" } }] },
        { say: "I could not apply my patch." },
      ],
    });
    const task = await createTask(userId, { environmentId, prompt: "[[script:bad-patch]] try" });
    const attempt = await waitForFinishedAttempt(task.attemptId);
    expect(attempt.status).toBe("completed");
    expect(attempt.patch).toBe("");
    expect(attempt.filesChanged).toBe(0);
    const last = model
      .requests()
      .filter((request) => JSON.stringify(request.body).includes("script:bad-patch"))
      .at(-1)?.body as {
      input: { type?: string; output?: string }[];
    };
    const output = last.input.find((item) => item.type === "function_call_output")?.output ?? "";
    expect(output).toContain("apply_patch failed, nothing was changed");
    expect(output).toContain("no such line");
  });

  it("redacts a secret from every stored string (final message, patch, status messages), not only from tool events", async () => {
    // The model repeats the model key (as a model could, were it ever in its context); the agent writes it into a file.
    model.registerScript("echo-key", {
      steps: [
        { calls: [{ name: "apply_patch", arguments: { patch: "*** Begin Patch\n*** Add File: leak.txt\n+sk-test-key-do-not-leak\n*** End Patch" } }] },
        { say: "The key is sk-test-key-do-not-leak." },
      ],
    });
    const task = await createTask(userId, { environmentId, prompt: "[[script:echo-key]] say the key" });
    const attempt = await waitForFinishedAttempt(task.attemptId);
    expect(attempt.status).toBe("completed");
    expect(attempt.finalMessage).toBe("The key is [redacted:OPENAI_API_KEY].");
    expect(attempt.patch).toContain("+[redacted:OPENAI_API_KEY]");
    expect(JSON.stringify(attempt)).not.toContain("sk-test-key-do-not-leak");
    expect(JSON.stringify(await listTaskEvents(task.id, 0n))).not.toContain("sk-test-key-do-not-leak");
  });

  it("runs the same agent over Chat Completions for servers without the Responses API", async () => {
    const chatEnvironment = await createEnvironment(userId, { name: "chat", repoUrl: repo.url, modelApi: "chat" });
    model.registerScript("chat-edit", {
      steps: [
        { say: "Reading first.", calls: [{ name: "shell", arguments: { command: "cat src/greet.js" } }] },
        { calls: [{ name: "apply_patch", arguments: { patch: PATCH } }] },
        { say: "Done over chat." },
      ],
    });
    const task = await createTask(userId, { environmentId: chatEnvironment.id, prompt: "[[script:chat-edit]] template literal please" });
    const attempt = await waitForFinishedAttempt(task.attemptId);
    expect(attempt.error).toBeNull();
    expect(attempt.finalMessage).toBe("Done over chat.");
    expect(attempt.patch).toContain("+  return `Hello, ${name}!`;");
    const requests = model.requests().filter((request) => JSON.stringify(request.body).includes("script:chat-edit"));
    expect(requests.map((request) => request.path)).toEqual(["/v1/chat/completions", "/v1/chat/completions", "/v1/chat/completions"]);
    const last = requests.at(-1)?.body as { messages: { role: string; content?: unknown; tool_call_id?: string }[] };
    expect(last.messages[0]?.role).toBe("system");
    const toolResults = last.messages.filter((message) => message.role === "tool").map((message) => String(message.content));
    expect(toolResults[0]).toContain('return "Hello, " + name;');
    expect(toolResults[1]).toContain("M src/greet.js");
    const deltas = (await listTaskEvents(task.id, 0n)).flatMap((event) => (event.type === "message.delta" ? [event.payload.text] : [])).join("");
    expect(deltas).toContain("Reading first.");
  });
});
