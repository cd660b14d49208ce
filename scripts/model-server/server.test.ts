// Real HTTP against the scripted server, with the real `openai` SDK as the client.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError, AuthenticationError, InternalServerError } from "openai";
import type { FunctionTool, Response, ResponseFunctionToolCall, ResponseInputItem, ResponseStreamEvent } from "openai/resources/responses/responses";
import { startModelServer, type ModelServer, type RecordedRequest } from "./server";

const TOOLS: FunctionTool[] = [
  {
    type: "function",
    name: "shell",
    strict: false,
    parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
  },
  {
    type: "function",
    name: "apply_patch",
    strict: false,
    parameters: { type: "object", properties: { patch: { type: "string" } }, required: ["patch"] },
  },
];

let server: ModelServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startModelServer({
    scripts: {
      two: {
        steps: [
          {
            say: "Looking around first.",
            calls: [
              { name: "shell", arguments: { command: "ls" } },
              { name: "shell", arguments: { command: "pwd" } },
            ],
          },
          { calls: [{ name: "apply_patch", arguments: { patch: "*** Begin Patch\n*** End Patch" } }] },
          { say: "All done, the change is in place." },
        ],
      },
    },
  });
  // logLevel off: the malformed-stream test would otherwise log the SDK's parse error.
  client = new OpenAI({ apiKey: "test", baseURL: server.url, maxRetries: 0, logLevel: "off" });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.clearRequests();
});

async function collect(stream: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function streamOnce(input: string | ResponseInputItem[], c: OpenAI = client): Promise<{ events: ResponseStreamEvent[]; response: Response }> {
  const events = await collect(await c.responses.create({ model: "scripted", input, tools: TOOLS, stream: true, store: false }));
  const last = events.at(-1);
  if (last?.type !== "response.completed") throw new Error(`stream ended with ${last?.type}`);
  return { events, response: last.response };
}

function calls(response: Response): ResponseFunctionToolCall[] {
  return response.output.filter((item): item is ResponseFunctionToolCall => item.type === "function_call");
}

function messageText(response: Response): string {
  return response.output
    .flatMap((item) => (item.type === "message" ? item.content : []))
    .map((part) => (part.type === "output_text" ? part.text : ""))
    .join("");
}

/** Feeds a response's calls back the way an agent loop does (store: false, everything resent). */
function withOutputs(input: ResponseInputItem[], response: Response, result = "ok"): ResponseInputItem[] {
  const fed: ResponseInputItem[] = [...input];
  for (const call of calls(response)) {
    fed.push({ type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments });
    fed.push({ type: "function_call_output", call_id: call.call_id, output: result });
  }
  return fed;
}

async function postRaw(path: string, body: unknown, headers: Record<string, string> = { authorization: "Bearer test" }): Promise<globalThis.Response> {
  return fetch(server.url.replace(/\/v1$/, "") + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

describe("scripted tool trajectories", () => {
  it("round-trips a multi-step tool script through the SDK", async () => {
    const input: ResponseInputItem[] = [{ role: "user", content: "[[script:two]] tidy the repo" }];

    const first = await streamOnce(input);
    const types = first.events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
    expect(types).toContain("response.output_text.delta");
    expect(types).toContain("response.function_call_arguments.delta");
    expect(types).toContain("response.function_call_arguments.done");
    expect(first.events.map((e) => e.sequence_number)).toEqual(first.events.map((_, i) => i));
    expect(first.response.status).toBe("completed");
    expect(messageText(first.response)).toBe("Looking around first.");
    const firstCalls = calls(first.response);
    expect(firstCalls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ["shell", { command: "ls" }],
      ["shell", { command: "pwd" }],
    ]);
    expect(firstCalls[0]?.call_id).toMatch(/^call_0_0_/);
    expect(firstCalls[1]?.call_id).toMatch(/^call_0_1_/);

    const secondInput = withOutputs(input, first.response);
    const second = await streamOnce(secondInput);
    const secondCalls = calls(second.response);
    expect(secondCalls).toHaveLength(1);
    expect(secondCalls[0]?.name).toBe("apply_patch");
    expect(secondCalls[0]?.call_id).toMatch(/^call_1_0_/);

    const third = await streamOnce(withOutputs(secondInput, second.response));
    expect(calls(third.response)).toHaveLength(0);
    expect(messageText(third.response)).toBe("All done, the change is in place.");

    // Past the end of the script (e.g. the agent keeps looping): a visible terminal message.
    const thirdInput = withOutputs(secondInput, second.response);
    const fourth = await streamOnce([...thirdInput, ...(third.response.output as ResponseInputItem[]), { role: "user", content: "and now?" }]);
    expect(messageText(fourth.response)).toBe("Script finished.");

    expect(server.requests().map((r) => [r.script, r.step])).toEqual([
      ["two", 0],
      ["two", 1],
      ["two", 2],
      ["two", 3],
    ]);
  });

  it("streams text as several deltas that reassemble, with usage on completion", async () => {
    const { events, response } = await streamOnce("[[script:two]] go");
    const deltas = events.flatMap((e) => (e.type === "response.output_text.delta" ? [e.delta] : []));
    expect(deltas.length).toBeGreaterThan(1);
    const done = events.find((e) => e.type === "response.output_text.done");
    expect(done?.type === "response.output_text.done" && done.text).toBe(deltas.join(""));
    expect(deltas.join("")).toBe(messageText(response));

    const argDeltas = events.flatMap((e) => (e.type === "response.function_call_arguments.delta" ? [e] : []));
    const firstCallId = calls(response)[0]?.id;
    expect(
      argDeltas
        .filter((e) => e.item_id === firstCallId)
        .map((e) => e.delta)
        .join(""),
    ).toBe('{"command":"ls"}');

    expect(response.usage?.input_tokens).toBeGreaterThan(0);
    expect(response.usage?.output_tokens).toBeGreaterThan(0);
    expect(response.usage?.total_tokens).toBe((response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0));
    expect(response.model).toBe("scripted");
    expect(response.object).toBe("response");
  });

  it("works with the SDK's responses.stream() helper and substitutes {{prompt}}", async () => {
    server.registerScript("echo", {
      steps: [{ say: "You asked: {{prompt}}", calls: [{ name: "shell", arguments: { command: "echo '{{prompt}}'" } }] }],
    });
    const deltas: string[] = [];
    const stream = client.responses
      .stream({ model: "scripted", input: [{ role: "user", content: [{ type: "input_text", text: "[[script:echo]] add a $& test" }] }], tools: TOOLS })
      .on("response.output_text.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    // finalResponse() only adds output_text for auto-parseable requests; the real API omits it too.
    expect(messageText(final)).toBe("You asked: add a $& test");
    expect(deltas.join("")).toBe(messageText(final));
    const call = calls(final)[0];
    expect(call && JSON.parse(call.arguments)).toEqual({ command: "echo 'add a $& test'" });
  });

  it("answers non-streaming requests with the final response object", async () => {
    const response = await client.responses.create({ model: "scripted", input: "[[script:two]] go", tools: TOOLS });
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe("Looking around first.");
    expect(calls(response)).toHaveLength(2);
    expect(response.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("selects the script from instructions too", async () => {
    const response = await client.responses.stream({ model: "scripted", instructions: "You are a test. [[script:two]]", input: "hi" }).finalResponse();
    expect(messageText(response)).toBe("Looking around first.");
  });

  it("reports an unknown script as an assistant message, not an HTTP error", async () => {
    const { response } = await streamOnce("[[script:nope]] hello");
    expect(messageText(response)).toMatch(/^Unknown model script "nope"/);
    expect(calls(response)).toHaveLength(0);
  });

  it("delays the first token by delayMs", async () => {
    server.registerScript("slow", { steps: [{ say: "finally", delayMs: 300 }] });
    const started = Date.now();
    const { response } = await streamOnce("[[script:slow]]");
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(messageText(response)).toBe("finally");
  });
});

describe("built-in demo script", () => {
  it("is the default and walks ls → README → patch → honest final message", async () => {
    const prompt = "Fix the login bug\n*** End Patch\n\nthen add tests";
    const input: ResponseInputItem[] = [{ role: "user", content: prompt }];

    const step0 = await streamOnce(input);
    expect(calls(step0.response).map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([["shell", { command: "ls -la" }]]);

    const in1 = withOutputs(input, step0.response, "README.md\nsrc");
    const step1 = await streamOnce(in1);
    expect(JSON.parse(calls(step1.response)[0]?.arguments ?? "{}")).toEqual({ command: "cat README* 2>/dev/null | head -50 || true" });

    const in2 = withOutputs(in1, step1.response, "# My project");
    const step2 = await streamOnce(in2);
    const patchCall = calls(step2.response)[0];
    expect(patchCall?.name).toBe("apply_patch");
    const patch = (JSON.parse(patchCall?.arguments ?? "{}") as { patch: string }).patch;
    const lines = patch.split("\n");
    expect(lines[0]).toBe("*** Begin Patch");
    expect(lines[1]).toBe("*** Add File: PATCHBAY_DEMO.md");
    expect(lines.at(-1)).toBe("*** End Patch");
    // Every body line stays an added line, even for a multi-line prompt that mimics a patch marker.
    for (const line of lines.slice(2, -1)) expect(line.startsWith("+")).toBe(true);
    expect(lines).toEqual(expect.arrayContaining(["+Fix the login bug", "+*** End Patch", "+", "+then add tests"]));
    expect(patch).toContain("scripted demo model");

    const step3 = await streamOnce(withOutputs(in2, step2.response, "Done!"));
    expect(calls(step3.response)).toHaveLength(0);
    expect(messageText(step3.response)).toMatch(/scripted demo model, not a real LLM/);
    expect(messageText(step3.response)).toContain("PATCHBAY_DEMO.md");
  });
});

describe("faults as the SDK surfaces them", () => {
  it("http-401 → AuthenticationError", async () => {
    server.registerScript("f401", { steps: [{ fault: "http-401" }] });
    const err = await client.responses.create({ model: "scripted", input: "[[script:f401]]", stream: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as APIError).status).toBe(401);
    expect((err as APIError).code).toBe("invalid_api_key");
  });

  it("http-500 → InternalServerError", async () => {
    server.registerScript("f500", { steps: [{ fault: "http-500" }] });
    const err = await client.responses.create({ model: "scripted", input: "[[script:f500]]", stream: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect((err as APIError).status).toBe(500);
    expect((err as APIError).type).toBe("server_error");
    expect(server.requests()).toHaveLength(1);
  });

  it("http-429 with repeat: 1 is retried by the SDK and then succeeds", async () => {
    server.registerScript("f429", {
      steps: [{ fault: "http-429", repeat: 1 }, { calls: [{ name: "shell", arguments: { command: "true" } }] }, { say: "ok" }],
    });
    const retrying = new OpenAI({ apiKey: "test", baseURL: server.url, maxRetries: 2, logLevel: "off" });
    const input: ResponseInputItem[] = [{ role: "user", content: "[[script:f429]] go" }];
    const { response } = await streamOnce(input, retrying);
    const call = calls(response)[0];
    expect(call?.call_id).toMatch(/^call_1_0_/);
    const reqs = server.requests();
    expect(reqs.map((r) => r.step)).toEqual([0, 1]);
    expect(reqs[1]?.headers["x-stainless-retry-count"]).toBe("1");
    // The conversation continues after the exhausted fault.
    const next = await streamOnce(withOutputs(input, response), retrying);
    expect(messageText(next.response)).toBe("ok");
  });

  it("malformed-stream → the SDK throws while iterating", async () => {
    server.registerScript("fbad", { steps: [{ fault: "malformed-stream" }] });
    const stream = await client.responses.create({ model: "scripted", input: "[[script:fbad]]", stream: true });
    await expect(collect(stream)).rejects.toThrow(SyntaxError);
    await expect(client.responses.create({ model: "scripted", input: "[[script:fbad]]" })).rejects.toThrow(SyntaxError);
  });

  it("hang → aborted by an AbortSignal or the SDK timeout", async () => {
    server.registerScript("fhang", { steps: [{ fault: "hang" }] });
    const aborted = await client.responses
      .create({ model: "scripted", input: "[[script:fhang]]", stream: true }, { signal: AbortSignal.timeout(200) })
      .catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(APIUserAbortError);

    const timedOut = await client.responses.create({ model: "scripted", input: "[[script:fhang]]", stream: true }, { timeout: 200 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it("hang with repeat: 1 → an SDK timeout retry gets the next step", async () => {
    server.registerScript("fhang1", { steps: [{ fault: "hang", repeat: 1 }, { say: "recovered" }] });
    const retrying = new OpenAI({ apiKey: "test", baseURL: server.url, maxRetries: 1, timeout: 200, logLevel: "off" });
    const { response } = await streamOnce("[[script:fhang1]]", retrying);
    expect(messageText(response)).toBe("recovered");
  });

  it("disconnect → the stream starts, then the SDK throws", async () => {
    server.registerScript("fcut", { steps: [{ fault: "disconnect" }] });
    const stream = await client.responses.create({ model: "scripted", input: "[[script:fcut]]", stream: true });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of stream) seen.push(event.type);
      })(),
    ).rejects.toThrow();
    expect(seen[0]).toBe("response.created");
    expect(seen).not.toContain("response.completed");
  });
});

describe("HTTP surface", () => {
  it("rejects a request without a bearer token with an OpenAI-style 401", async () => {
    const res = await postRaw("/v1/responses", { model: "scripted", input: "hi" }, {});
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { message: string; type: string; code: string } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toMatch(/API key/);
    expect(server.requests()[0]?.hasBearer).toBe(false);
  });

  it("lists the scripted model", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["scripted"]);
  });

  it("records requests without the authorization value, also over HTTP", async () => {
    await streamOnce("[[script:two]] record me");
    const [rec] = server.requests();
    expect(rec?.method).toBe("POST");
    expect(rec?.path).toBe("/v1/responses");
    expect(rec?.hasBearer).toBe(true);
    expect(rec?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(rec)).not.toContain("Bearer test");
    expect(rec?.body).toMatchObject({ model: "scripted", input: "[[script:two]] record me", stream: true, store: false });
    expect((rec?.body as { tools: unknown[] }).tools).toHaveLength(2);

    const base = server.url.replace(/\/v1$/, "");
    const overHttp = (await (await fetch(`${base}/_requests`)).json()) as RecordedRequest[];
    expect(overHttp).toEqual(server.requests());
    expect((await fetch(`${base}/_requests`, { method: "DELETE" })).status).toBe(204);
    expect(server.requests()).toEqual([]);
  });

  it("registers scripts at runtime over HTTP and validates them", async () => {
    const ok = await postRaw("/_scripts/remote", { steps: [{ say: "from HTTP {{prompt}}" }] });
    expect(ok.status).toBe(201);
    const { response } = await streamOnce("[[script:remote]] hello");
    expect(messageText(response)).toBe("from HTTP hello");

    const bad = await postRaw("/_scripts/broken", { steps: [{ call: [] }] });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/invalid model script/);
  });

  it("close() ends hanging requests instead of waiting for them", async () => {
    const own = await startModelServer({ scripts: { stuck: { steps: [{ fault: "hang" }] } } });
    const c = new OpenAI({ apiKey: "test", baseURL: own.url, maxRetries: 0, logLevel: "off" });
    const pending = c.responses.create({ model: "scripted", input: "[[script:stuck]]", stream: true }).catch((e: unknown) => e);
    while (own.requests().length === 0) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await pending).toBeInstanceOf(APIError);
  });
});
