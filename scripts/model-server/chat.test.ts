// Chat Completions (POST /v1/chat/completions) over real HTTP, with the real `openai` SDK as the client:
// the same scripts and semantics as the Responses endpoint (see server.test.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import OpenAI, { APIConnectionTimeoutError, type APIError, APIUserAbortError, AuthenticationError, BadRequestError, InternalServerError } from "openai";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions/completions";
import { startModelServer, type ModelServer } from "./server";

const TOOLS: ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "shell",
      description: "Run a shell command",
      parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
    },
  },
  {
    type: "function",
    function: {
      name: "apply_patch",
      description: "Apply a patch",
      parameters: { type: "object", properties: { patch: { type: "string" } }, required: ["patch"] },
    },
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

type Assembled = { chunks: ChatCompletionChunk[]; message: ChatCompletion.Choice["message"]; finishReason: string | null };

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** Reassembles chunks by hand (independently of the SDK's helper), checking the delta protocol. */
function assemble(chunks: ChatCompletionChunk[]): Assembled {
  let content: string | null = null;
  let finishReason: string | null = null;
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      expect(choice.index).toBe(0);
      if (choice.delta.content) content = (content ?? "") + choice.delta.content;
      for (const delta of choice.delta.tool_calls ?? []) {
        if (delta.id !== undefined) {
          // A call opens with its id, type and name and empty arguments, then argument pieces follow.
          expect(delta.index).toBe(toolCalls.length);
          expect(delta.function?.arguments).toBe("");
          toolCalls.push({ id: delta.id, type: "function", function: { name: delta.function?.name ?? "", arguments: "" } });
        } else {
          const call = toolCalls[delta.index];
          if (!call) throw new Error(`argument delta for unopened tool call ${delta.index}`);
          call.function.arguments += delta.function?.arguments ?? "";
        }
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  }
  return {
    chunks,
    finishReason,
    message: { role: "assistant", content, refusal: null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
  };
}

async function streamOnce(
  messages: ChatCompletionMessageParam[],
  c: OpenAI = client,
  extra: Partial<ChatCompletionCreateParamsStreaming> = {},
): Promise<Assembled> {
  return assemble(await collect(await c.chat.completions.create({ model: "scripted", messages, tools: TOOLS, stream: true, ...extra })));
}

function functionCalls(message: ChatCompletion.Choice["message"]): ChatCompletionMessageFunctionToolCall[] {
  return (message.tool_calls ?? []).filter((call): call is ChatCompletionMessageFunctionToolCall => call.type === "function");
}

/** Feeds an assistant message and its tool results back the way an agent loop does. */
function withResults(messages: ChatCompletionMessageParam[], message: ChatCompletion.Choice["message"], result = "ok"): ChatCompletionMessageParam[] {
  const calls = functionCalls(message);
  return [
    ...messages,
    { role: "assistant", content: message.content, ...(calls.length > 0 ? { tool_calls: calls } : {}) },
    ...calls.map((call): ChatCompletionMessageParam => ({ role: "tool", tool_call_id: call.id, content: result })),
  ];
}

describe("scripted tool trajectories over chat completions", () => {
  it("round-trips a multi-step tool script, streaming", async () => {
    const messages: ChatCompletionMessageParam[] = [
      { role: "system", content: "You are a coding agent." },
      { role: "user", content: "[[script:two]] tidy the repo" },
    ];

    const first = await streamOnce(messages);
    expect(first.finishReason).toBe("tool_calls");
    expect(first.message.content).toBe("Looking around first.");
    const firstCalls = functionCalls(first.message);
    expect(firstCalls.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ["shell", { command: "ls" }],
      ["shell", { command: "pwd" }],
    ]);
    expect(firstCalls[0]?.id).toMatch(/^call_0_0_/);
    expect(firstCalls[1]?.id).toMatch(/^call_0_1_/);

    const secondInput = withResults(messages, first.message);
    const second = await streamOnce(secondInput);
    expect(second.finishReason).toBe("tool_calls");
    expect(second.message.content).toBeNull();
    const secondCalls = functionCalls(second.message);
    expect(secondCalls.map((c) => c.function.name)).toEqual(["apply_patch"]);
    expect(secondCalls[0]?.id).toMatch(/^call_1_0_/);

    const thirdInput = withResults(secondInput, second.message);
    const third = await streamOnce(thirdInput);
    expect(third.finishReason).toBe("stop");
    expect(third.message.content).toBe("All done, the change is in place.");
    expect(third.message.tool_calls).toBeUndefined();

    expect(server.requests().map((r) => [r.path, r.script, r.step])).toEqual([
      ["/v1/chat/completions", "two", 0],
      ["/v1/chat/completions", "two", 1],
      ["/v1/chat/completions", "two", 2],
    ]);
  });

  it("round-trips a multi-step tool script, non-streaming, with an OpenAI-shaped chat.completion", async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "[[script:two]] tidy the repo" }];
    const first = await client.chat.completions.create({ model: "scripted", messages, tools: TOOLS });
    expect(first.object).toBe("chat.completion");
    expect(first.id).toMatch(/^chatcmpl-/);
    expect(first.model).toBe("scripted");
    expect(first.created).toBeGreaterThan(1_700_000_000);
    expect(first.choices).toHaveLength(1);
    const [choice] = first.choices;
    expect(choice).toMatchObject({ index: 0, finish_reason: "tool_calls", message: { role: "assistant", content: "Looking around first." } });
    expect(choice?.message.tool_calls?.map((c) => c.type)).toEqual(["function", "function"]);
    expect(first.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(first.usage?.completion_tokens).toBeGreaterThan(0);
    expect(first.usage?.total_tokens).toBe((first.usage?.prompt_tokens ?? 0) + (first.usage?.completion_tokens ?? 0));

    const second = await client.chat.completions.create({ model: "scripted", messages: withResults(messages, first.choices[0]!.message), tools: TOOLS });
    expect(second.choices[0]?.message.content).toBeNull();
    expect(functionCalls(second.choices[0]!.message).map((c) => [c.id.slice(0, 7), c.function.name])).toEqual([["call_1_", "apply_patch"]]);

    const third = await client.chat.completions.create({
      model: "scripted",
      messages: withResults(withResults(messages, first.choices[0]!.message), second.choices[0]!.message),
      tools: TOOLS,
    });
    expect(third.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "All done, the change is in place." } });
    expect(third.choices[0]?.message.tool_calls).toBeUndefined();
    expect(server.requests().map((r) => r.step)).toEqual([0, 1, 2]);
  });

  it("streams role, text deltas, tool call deltas, finish_reason, usage and [DONE] in the API's order", async () => {
    const { chunks, message } = await streamOnce([{ role: "user", content: "[[script:two]] go" }], client, { stream_options: { include_usage: true } });
    for (const chunk of chunks) {
      expect(chunk.object).toBe("chat.completion.chunk");
      expect(chunk.id).toBe(chunks[0]?.id);
      expect(chunk.created).toBe(chunks[0]?.created);
      expect(chunk.model).toBe("scripted");
    }
    expect(chunks[0]?.id).toMatch(/^chatcmpl-/);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "", refusal: null });

    const deltaOf = (c: ChatCompletionChunk): ChatCompletionChunk.Choice.Delta => c.choices[0]?.delta ?? {};
    const textDeltas = chunks.map((c) => deltaOf(c).content ?? "").filter((text) => text !== "");
    expect(textDeltas.length).toBeGreaterThan(1);
    expect(textDeltas.join("")).toBe("Looking around first.");
    expect(message.content).toBe("Looking around first.");

    const toolDeltas = chunks.flatMap((c) => deltaOf(c).tool_calls ?? []);
    expect(toolDeltas[0]).toEqual({ index: 0, id: expect.stringMatching(/^call_0_0_/), type: "function", function: { name: "shell", arguments: "" } });
    const firstArgs = toolDeltas.filter((d) => d.index === 0 && d.id === undefined);
    expect(firstArgs.length).toBeGreaterThan(1);
    expect(firstArgs.every((d) => Object.keys(d).sort().join() === "function,index")).toBe(true);
    expect(firstArgs.map((d) => d.function?.arguments).join("")).toBe('{"command":"ls"}');
    expect(functionCalls(message).map((c) => c.function.arguments)).toEqual(['{"command":"ls"}', '{"command":"pwd"}']);
    // Text comes before the calls, and calls do not interleave.
    const kinds = chunks.map((c) => {
      const delta = deltaOf(c);
      if (delta.content) return "text";
      return delta.tool_calls ? `call${delta.tool_calls[0]?.index}` : "other";
    });
    expect(kinds.lastIndexOf("text")).toBeLessThan(kinds.indexOf("call0"));
    expect(kinds.lastIndexOf("call0")).toBeLessThan(kinds.indexOf("call1"));

    const [finish, usage] = chunks.slice(-2);
    expect(finish?.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "tool_calls" }]);
    expect(chunks.slice(0, -2).every((c) => c.choices[0]?.finish_reason === null)).toBe(true);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.usage?.total_tokens).toBe((usage?.usage?.prompt_tokens ?? 0) + (usage?.usage?.completion_tokens ?? 0));
    // With include_usage every earlier chunk carries usage: null, like the real API.
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it("sends no usage chunk without include_usage, and ends the stream with data: [DONE]", async () => {
    const { chunks } = await streamOnce([{ role: "user", content: "[[script:two]] go" }]);
    expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");

    const res = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer test" },
      body: JSON.stringify({ model: "scripted", messages: [{ role: "user", content: "[[script:two]] go" }], stream: true }),
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = (await res.text()).split("\n\n").filter(Boolean);
    expect(events.every((e) => e.startsWith("data: "))).toBe(true);
    expect(events.at(-1)).toBe("data: [DONE]");
  });

  it("works with the SDK's chat.completions.stream() helper and substitutes {{prompt}}", async () => {
    server.registerScript("echo", {
      steps: [{ say: "You asked: {{prompt}}", calls: [{ name: "shell", arguments: { command: "echo '{{prompt}}'" } }] }],
    });
    const deltas: string[] = [];
    const doneArgs: string[] = [];
    const stream = client.chat.completions
      .stream({
        model: "scripted",
        messages: [{ role: "user", content: [{ type: "text", text: "[[script:echo]] add a $& test" }] }],
        tools: TOOLS,
        stream_options: { include_usage: true },
      })
      .on("content.delta", (e) => deltas.push(e.delta))
      .on("tool_calls.function.arguments.done", (e) => doneArgs.push(e.arguments));
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBe("You asked: add a $& test");
    expect(deltas.join("")).toBe(choice?.message.content);
    const call = functionCalls(choice!.message)[0];
    expect(call?.id).toMatch(/^call_0_0_/);
    expect(call && JSON.parse(call.function.arguments)).toEqual({ command: "echo 'add a $& test'" });
    expect(doneArgs).toEqual([call?.function.arguments]);
    expect(final.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("finishes a text-only stream with stop and null tool calls through the SDK helper", async () => {
    server.registerScript("hello", { steps: [{ say: "Hello there." }] });
    const final = await client.chat.completions.stream({ model: "scripted", messages: [{ role: "user", content: "[[script:hello]]" }] }).finalChatCompletion();
    expect(final.choices[0]).toMatchObject({ finish_reason: "stop", message: { role: "assistant", content: "Hello there." } });
    expect(final.choices[0]?.message.tool_calls).toBeUndefined();
    expect(final.usage).toBeUndefined();
  });

  it("selects the script by the latest user message's marker, else demo", async () => {
    server.registerScript("other", { steps: [{ say: "other script" }] });
    const byLatest = await client.chat.completions.create({
      model: "scripted",
      messages: [
        { role: "user", content: "[[script:two]] first turn" },
        { role: "assistant", content: "All done, the change is in place." },
        { role: "user", content: [{ type: "text", text: "now [[script:other]] please" }] },
        { role: "user", content: "no marker here" },
      ],
    });
    expect(byLatest.choices[0]?.message.content).toBe("other script");

    const demo = await client.chat.completions.create({
      model: "scripted",
      messages: [
        { role: "system", content: "You are a coding agent." },
        { role: "user", content: "Fix the login bug" },
      ],
      tools: TOOLS,
    });
    expect(functionCalls(demo.choices[0]!.message).map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([["shell", { command: "ls -la" }]]);
    expect(server.requests().map((r) => r.script)).toEqual(["other", "demo"]);
  });

  it("reports an unknown script as an assistant message and says when the script is finished", async () => {
    const unknown = await streamOnce([{ role: "user", content: "[[script:nope]] hello" }]);
    expect(unknown.message.content).toMatch(/^Unknown model script "nope"/);
    expect(unknown.finishReason).toBe("stop");

    server.registerScript("once", { steps: [{ calls: [{ name: "shell", arguments: { command: "true" } }] }] });
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "[[script:once]]" }];
    const first = await streamOnce(messages);
    const next = await streamOnce(withResults(messages, first.message));
    expect(next.message.content).toBe("Script finished.");
  });

  it("delays the first token by delayMs", async () => {
    server.registerScript("slow", { steps: [{ say: "finally", delayMs: 300 }] });
    const started = Date.now();
    const { message } = await streamOnce([{ role: "user", content: "[[script:slow]]" }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(message.content).toBe("finally");
  });

  it("records chat requests with their path, script and step, without the authorization value", async () => {
    await streamOnce([{ role: "user", content: "[[script:two]] record me" }]);
    await client.responses.create({ model: "scripted", input: "[[script:two]] record me" });
    const [chat, responses] = server.requests();
    expect(chat).toMatchObject({ method: "POST", path: "/v1/chat/completions", hasBearer: true, script: "two", step: 0 });
    expect(chat?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(chat)).not.toContain("Bearer test");
    expect(chat?.body).toMatchObject({ model: "scripted", stream: true, messages: [{ role: "user", content: "[[script:two]] record me" }] });
    expect((chat?.body as { tools: unknown[] }).tools).toHaveLength(2);
    expect(responses?.path).toBe("/v1/responses");
  });

  it("rejects a body without messages with an OpenAI-style 400", async () => {
    const err = await client.chat.completions.create({ model: "scripted" } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as APIError).message).toMatch(/messages/);
  });
});

describe("faults over chat completions, as the SDK surfaces them", () => {
  it("http-401 → AuthenticationError, streaming or not", async () => {
    server.registerScript("f401", { steps: [{ fault: "http-401" }] });
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "[[script:f401]]" }];
    const streamed = await client.chat.completions.create({ model: "scripted", messages, stream: true }).catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(AuthenticationError);
    expect((streamed as APIError).status).toBe(401);
    expect((streamed as APIError).code).toBe("invalid_api_key");
    const plain = await client.chat.completions.create({ model: "scripted", messages }).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(AuthenticationError);
  });

  it("http-500 → InternalServerError", async () => {
    server.registerScript("f500", { steps: [{ fault: "http-500" }] });
    const err = await client.chat.completions.create({ model: "scripted", messages: [{ role: "user", content: "[[script:f500]]" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect((err as APIError).type).toBe("server_error");
  });

  it("http-429 with repeat: 1 is retried by the SDK and then succeeds; the conversation continues", async () => {
    server.registerScript("f429", {
      steps: [{ fault: "http-429", repeat: 1 }, { calls: [{ name: "shell", arguments: { command: "true" } }] }, { say: "ok" }],
    });
    const retrying = new OpenAI({ apiKey: "test", baseURL: server.url, maxRetries: 2, logLevel: "off" });
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "[[script:f429]] go" }];
    const { message } = await streamOnce(messages, retrying);
    expect(functionCalls(message)[0]?.id).toMatch(/^call_1_0_/);
    const reqs = server.requests();
    expect(reqs.map((r) => r.step)).toEqual([0, 1]);
    expect(reqs[1]?.headers["x-stainless-retry-count"]).toBe("1");

    const next = await retrying.chat.completions.create({ model: "scripted", messages: withResults(messages, message) });
    expect(next.choices[0]?.message.content).toBe("ok");
  });

  it("counts repeat per API: the same prompt faults once on each endpoint", async () => {
    server.registerScript("f429both", { steps: [{ fault: "http-429", repeat: 1 }, { say: "through" }] });
    const prompt = "[[script:f429both]] same prompt";
    await expect(client.responses.create({ model: "scripted", input: prompt })).rejects.toMatchObject({ status: 429 });
    await expect(client.chat.completions.create({ model: "scripted", messages: [{ role: "user", content: prompt }] })).rejects.toMatchObject({ status: 429 });
    const chat = await client.chat.completions.create({ model: "scripted", messages: [{ role: "user", content: prompt }] });
    expect(chat.choices[0]?.message.content).toBe("through");
  });

  it("malformed-stream → the SDK throws, streaming or not", async () => {
    server.registerScript("fbad", { steps: [{ fault: "malformed-stream" }] });
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "[[script:fbad]]" }];
    const stream = await client.chat.completions.create({ model: "scripted", messages, stream: true });
    await expect(collect(stream)).rejects.toThrow(SyntaxError);
    await expect(client.chat.completions.create({ model: "scripted", messages })).rejects.toThrow(SyntaxError);
  });

  it("hang → aborted by an AbortSignal or the SDK timeout; with repeat: 1 a timeout retry gets the next step", async () => {
    server.registerScript("fhang", { steps: [{ fault: "hang" }] });
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "[[script:fhang]]" }];
    const aborted = await client.chat.completions
      .create({ model: "scripted", messages, stream: true }, { signal: AbortSignal.timeout(200) })
      .catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(APIUserAbortError);
    const timedOut = await client.chat.completions.create({ model: "scripted", messages }, { timeout: 200 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(APIConnectionTimeoutError);

    server.registerScript("fhang1", { steps: [{ fault: "hang", repeat: 1 }, { say: "recovered" }] });
    const retrying = new OpenAI({ apiKey: "test", baseURL: server.url, maxRetries: 1, timeout: 200, logLevel: "off" });
    const { message } = await streamOnce([{ role: "user", content: "[[script:fhang1]]" }], retrying);
    expect(message.content).toBe("recovered");
  });

  it("disconnect → the stream starts, then the SDK throws; non-streaming throws too", async () => {
    server.registerScript("fcut", { steps: [{ fault: "disconnect" }] });
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "[[script:fcut]]" }];
    const stream = await client.chat.completions.create({ model: "scripted", messages, stream: true });
    const seen: ChatCompletionChunk[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk);
      })(),
    ).rejects.toThrow();
    expect(seen[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(seen.some((c) => c.choices[0]?.finish_reason)).toBe(false);
    await expect(client.chat.completions.create({ model: "scripted", messages })).rejects.toThrow();
  });
});
