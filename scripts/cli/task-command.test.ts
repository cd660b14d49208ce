import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { StoredEvent } from "@/lib/events";
import { formatEvent, sseMessages, taskCommand } from "./task-command";

const at = { attemptId: "att_1", seq: 1, createdAt: "2026-12-02T10:00:00.000Z" };
const event = (body: Omit<StoredEvent, "id" | "attemptId" | "seq" | "createdAt">, id = "1") => ({ ...body, ...at, id }) as StoredEvent;

async function run(argv: string[], env: Record<string, string | undefined>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on("data", (chunk: Buffer) => err.push(chunk.toString()));
  const code = await taskCommand(argv, { stdout, stderr, env });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("task watch output", () => {
  it("gives one line per event a person follows, and nothing for streamed output", () => {
    expect(formatEvent(event({ type: "turn", payload: { index: 0, prompt: "fix the date test" } }))).toBe("> fix the date test");
    expect(formatEvent(event({ type: "turn", payload: { index: 1, prompt: "also the README" } }))).toBe("> follow-up: also the README");
    expect(formatEvent(event({ type: "status", payload: { status: "running" } }))).toBe("[running]");
    expect(formatEvent(event({ type: "tool.begin", payload: { callId: "c1", tool: "shell", command: "npm test" } }))).toBe("$ npm test");
    expect(formatEvent(event({ type: "tool.end", payload: { callId: "c1", tool: "shell", ok: false, exitCode: 1, durationMs: 1234 } }))).toBe(
      "  ✗ shell: exit 1 (1.2 s)",
    );
    expect(formatEvent(event({ type: "tool.end", payload: { callId: "c1", tool: "shell", ok: true, exitCode: 0, durationMs: 20 } }))).toBeNull();
    expect(formatEvent(event({ type: "tool.output", payload: { callId: "c1", stream: "stdout", chunk: "ok" } }))).toBeNull();
    expect(formatEvent(event({ type: "message", payload: { text: "Fixed it.\nRan the tests." } }))).toBe("agent: Fixed it.\n       Ran the tests.");
    expect(formatEvent(event({ type: "diff", payload: { filesChanged: 2, additions: 10, deletions: 3 } }))).toBe("diff: 2 file(s), +10 -3");
  });

  it("reads server-sent events split anywhere across chunks", async () => {
    const text = 'id: 7\nevent: status\ndata: {"a":1}\n\nevent: end\r\ndata: {}\r\n\r\n';
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 5) controller.enqueue(bytes.slice(i, i + 5));
        controller.close();
      },
    });
    const messages = [];
    for await (const message of sseMessages(new Response(body))) messages.push(message);
    expect(messages).toEqual([
      { event: "status", data: '{"a":1}' },
      { event: "end", data: "{}" },
    ]);
  });
});

describe("task command errors", () => {
  it("says how to get a token, what is missing, and that nothing answers, each on one line", async () => {
    const noToken = await run(["watch", "task_1"], {});
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^task watch: set PATCHBAY_TOKEN to an API token/);

    const noPrompt = await run(["create", "--env", "env_1"], { PATCHBAY_TOKEN: "pb_x" });
    expect(noPrompt.code).toBe(2);
    expect(noPrompt.stderr).toContain("needs --env ENVIRONMENT_ID and a prompt");

    const badUrl = await run(["watch", "task_1"], { PATCHBAY_TOKEN: "pb_x", PATCHBAY_URL: "ftp://example.com" });
    expect(badUrl.stderr).toBe("task watch: PATCHBAY_URL is not an http(s) address: ftp://example.com\n");

    // Port 9 (discard) on this machine: nothing listens.
    const unreachable = await run(["watch", "task_1"], { PATCHBAY_TOKEN: "pb_x", PATCHBAY_URL: "http://127.0.0.1:9" });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^task watch: cannot reach Patchbay at http:\/\/127\.0\.0\.1:9: /);

    expect((await run(["frobnicate"], {})).code).toBe(2);
  });
});
