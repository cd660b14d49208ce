// Scripted, OpenAI-compatible model server over real HTTP + SSE: the Responses API
// (POST /v1/responses) and Chat Completions (POST /v1/chat/completions, for providers without the
// Responses API), both driven by the same scripts with the same semantics.
// No real LLM is reachable from Patchbay's machines, so tests and the offline demo run the
// real `openai` SDK against this server, which replays scripted tool-call trajectories.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { COMPACTION_INSTRUCTIONS } from "@/worker/agent/compaction";
import { isFaultStep, parseModelScript, scriptNameSchema, type FaultKind, type ModelScript, type ParsedModelScript, type ReplyStep } from "./script.schemas";

export type { ModelScript } from "./script.schemas";

export type RecordedRequest = {
  method: string;
  path: string;
  /** Request headers without `authorization` (see `hasBearer`). */
  headers: Record<string, string>;
  hasBearer: boolean;
  /** Parsed JSON body; the raw text when it is not JSON; null when empty. */
  body: unknown;
  receivedAt: string;
  /**
   * For POST /v1/responses and POST /v1/chat/completions (tell them apart by `path`): the script and
   * step that answered (step null for unknown scripts).
   */
  script: string | null;
  step: number | null;
};

export type StartModelServerOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Extra scripts; they override built-ins of the same name. */
  scripts?: Record<string, ModelScript>;
};

export type ModelServer = {
  /** Base URL ending in /v1, ready for `new OpenAI({ baseURL })`. */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
  requests(): RecordedRequest[];
  clearRequests(): void;
  registerScript(name: string, script: ModelScript): void;
};

export const MODEL_ID = "scripted";
export const DEFAULT_SCRIPT = "demo";
const BUILTIN_SCRIPTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "scripts");
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MARKER_RE = /\[\[script:\s*([^\]\s]+)\s*\]\]/;
const CALL_ID_RE = /^call_(\d+)_\d+_/;
const MESSAGE_ID_RE = /^msg_(\d+)_/;

type JsonObject = Record<string, unknown>;

type PlannedOutput = { kind: "message"; text: string } | { kind: "call"; name: string; arguments: string };

type Plan = { stepIndex: number | null; outputs: PlannedOutput[]; delayMs: number };

type Api = "responses" | "chat";

/** What a request asks for, read from either API's request body. */
type Turn = {
  stream: boolean;
  scriptName: string;
  prompt: string;
  startIndex: number;
  /** Set for Patchbay's context-compaction requests: answered with this summary, using no script step. */
  compactionSummary?: string;
};

const COMPACTION_MARK = COMPACTION_INSTRUCTIONS.split("\n")[0] ?? "";

/** A deterministic stand-in for the model's handoff summary: the request and the calls made so far. */
function compactionSummaryFor(prompt: string, conversation: unknown): string {
  const calls = Array.isArray(conversation)
    ? conversation.flatMap((item) => {
        if (!isRecord(item)) return [];
        if (item.type === "function_call" && typeof item.name === "string") return [item.name];
        if (Array.isArray(item.tool_calls))
          return item.tool_calls.flatMap((call) =>
            isRecord(call) && isRecord(call.function) && typeof call.function.name === "string" ? [call.function.name] : [],
          );
        return [];
      })
    : [];
  return `Handoff: the request was "${prompt}". ${calls.length} tool call(s) so far (${calls.join(", ") || "none"}).`;
}

/** One API's wire format: everything `respond` and `fault` need that differs between the APIs. */
type Wire = {
  api: Api;
  /** Sends the reply, streamed or not; applies plan.delayMs (time to first token). */
  reply(res: http.ServerResponse, plan: Plan, inputTokens: number, signal: AbortSignal): Promise<void>;
  /** The start of a JSON body, for faults that cut a non-streamed response short. */
  truncatedJson: string;
  /** "malformed-stream": a valid opening event, then data that is not JSON. */
  malformedStream(res: http.ServerResponse): void;
  /** "disconnect": the stream's opening events; resolves once they are written. */
  openStream(res: http.ServerResponse): Promise<void>;
};

export async function loadBuiltinScripts(dir = BUILTIN_SCRIPTS_DIR): Promise<Map<string, ParsedModelScript>> {
  const scripts = new Map<string, ParsedModelScript>();
  const files = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
  for (const file of files) {
    const source = path.join(dir, file);
    const name = file.slice(0, -".json".length);
    // Fail fast at startup: a broken built-in script would otherwise surface as a confusing agent run.
    scripts.set(scriptNameSchema.parse(name), parseModelScript(JSON.parse(await readFile(source, "utf8")), source));
  }
  return scripts;
}

export async function startModelServer(opts: StartModelServerOptions = {}): Promise<ModelServer> {
  const host = opts.host ?? "127.0.0.1";
  const scripts = await loadBuiltinScripts();
  // Fault `repeat` counters, keyed by script + step + prompt so an SDK retry (identical input)
  // advances the counter while unrelated conversations using the same script do not interfere.
  const faultCounts = new Map<string, number>();
  const recorded: RecordedRequest[] = [];

  const registerScript = (name: string, script: ModelScript): void => {
    const parsed = parseModelScript(script, `"${name}"`);
    scripts.set(scriptNameSchema.parse(name), parsed);
    for (const key of faultCounts.keys()) if (key.startsWith(`${name}\0`)) faultCounts.delete(key);
  };
  for (const [name, script] of Object.entries(opts.scripts ?? {})) registerScript(name, script);

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        sendError(res, 500, { message: `model server bug: ${String(err)}`, type: "server_error", code: "internal" });
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const pathname = new URL(req.url ?? "/", "http://model-server").pathname.replace(/\/+$/, "") || "/";

    // Control endpoints for tests and tooling (not recorded, no auth).
    if (pathname === "/_requests" && method === "GET") return sendJson(res, 200, recorded);
    if (pathname === "/_requests" && method === "DELETE") {
      recorded.length = 0;
      res.writeHead(204).end();
      return;
    }
    if (pathname === "/_health" && method === "GET") return sendJson(res, 200, { ok: true });
    if (pathname === "/_scripts" && method === "GET") return sendJson(res, 200, { scripts: [...scripts.keys()].sort() });
    const scriptRoute = /^\/_scripts\/([^/]+)$/.exec(pathname);
    if (scriptRoute && method === "POST") {
      const body = await readBody(req);
      if (body === undefined) return sendError(res, 413, { message: "body too large", type: "invalid_request_error", code: null });
      let name = "";
      try {
        name = decodeURIComponent(scriptRoute[1] ?? "");
        registerScript(name, parseJson(body) as ModelScript);
      } catch (err) {
        return sendError(res, 400, { message: errorMessage(err), type: "invalid_request_error", code: "invalid_script" });
      }
      return sendJson(res, 201, { ok: true, name });
    }

    if (!pathname.startsWith("/v1/") && pathname !== "/v1") {
      return sendError(res, 404, { message: `Unknown route ${method} ${pathname}`, type: "invalid_request_error", code: "not_found" });
    }

    const rawBody = await readBody(req);
    if (rawBody === undefined) return sendError(res, 413, { message: "body too large", type: "invalid_request_error", code: null });
    const authorization = req.headers.authorization;
    const hasBearer = typeof authorization === "string" && /^Bearer\s+\S+/i.test(authorization);
    const record: RecordedRequest = {
      method,
      path: pathname,
      headers: flattenHeaders(req.headers),
      hasBearer,
      body: rawBody === "" ? null : parseJsonOr(rawBody),
      receivedAt: new Date().toISOString(),
      script: null,
      step: null,
    };
    recorded.push(record);

    if (!hasBearer) {
      return sendError(res, 401, {
        message: "You didn't provide an API key. Send it as `Authorization: Bearer <key>` (any key is accepted).",
        type: "invalid_request_error",
        code: "missing_api_key",
      });
    }

    if (method === "GET" && pathname === "/v1/models") {
      return sendJson(res, 200, { object: "list", data: [modelObject()] });
    }
    if (method === "GET" && pathname === `/v1/models/${MODEL_ID}`) return sendJson(res, 200, modelObject());
    if (method === "POST" && (pathname === "/v1/responses" || pathname === "/v1/chat/completions")) {
      const body = record.body;
      if (!isRecord(body)) {
        return sendError(res, 400, { message: "Request body must be a JSON object.", type: "invalid_request_error", code: null });
      }
      if (pathname === "/v1/responses") return respond(res, responsesTurn(body), responsesWire(body), rawBody, record);
      if (!Array.isArray(body.messages)) {
        return sendError(res, 400, {
          message: "Missing required parameter: 'messages'.",
          type: "invalid_request_error",
          code: "missing_required_parameter",
        });
      }
      return respond(res, chatTurn(body), chatWire(body), rawBody, record);
    }
    return sendError(res, 404, { message: `Unknown route ${method} ${pathname}`, type: "invalid_request_error", code: "not_found" });
  }

  async function respond(res: http.ServerResponse, turn: Turn, wire: Wire, rawBody: string, record: RecordedRequest): Promise<void> {
    // Aborted when the client goes away or the server closes; ends delays and hangs.
    const gone = new AbortController();
    res.on("close", () => gone.abort());
    const { scriptName, prompt } = turn;
    record.script = scriptName;

    const script = scripts.get(scriptName);
    let plan: Plan;
    if (turn.compactionSummary !== undefined) {
      plan = { stepIndex: null, delayMs: 0, outputs: [{ kind: "message", text: turn.compactionSummary }] };
    } else if (!script) {
      const known = [...scripts.keys()].sort().join(", ");
      plan = { stepIndex: null, delayMs: 0, outputs: [{ kind: "message", text: `Unknown model script "${scriptName}". Known scripts: ${known}.` }] };
    } else {
      let index = turn.startIndex;
      for (;;) {
        const step = script.steps[index];
        if (!step || !isFaultStep(step)) break;
        // Per API as well, so the same prompt on both endpoints gets its own faults.
        const key = `${scriptName}\0${wire.api}\0${index}\0${prompt}`;
        const count = faultCounts.get(key) ?? 0;
        if (step.repeat === undefined || count < step.repeat) {
          faultCounts.set(key, count + 1);
          record.step = index;
          await sleep(step.delayMs ?? 0, gone.signal);
          if (gone.signal.aborted) return;
          return fault(res, step.fault, turn.stream, wire, gone.signal);
        }
        index += 1; // this fault is used up for this conversation: fall through to the next step
      }
      record.step = index;
      const step = script.steps[index];
      plan = step ? planReply(step as ReplyStep, index, prompt) : { stepIndex: index, delayMs: 0, outputs: [{ kind: "message", text: "Script finished." }] };
    }

    return wire.reply(res, plan, Math.ceil(rawBody.length / 4), gone.signal);
  }

  async function fault(res: http.ServerResponse, kind: FaultKind, stream: boolean, wire: Wire, signal: AbortSignal): Promise<void> {
    switch (kind) {
      case "http-401":
        return sendError(res, 401, { message: "Incorrect API key provided (scripted fault).", type: "invalid_request_error", code: "invalid_api_key" });
      case "http-429":
        return sendError(res, 429, { message: "Rate limit reached (scripted fault).", type: "requests", code: "rate_limit_exceeded" }, { "retry-after": "0" });
      case "http-500":
        return sendError(res, 500, {
          message: "The server had an error while processing your request (scripted fault).",
          type: "server_error",
          code: "server_error",
        });
      case "malformed-stream": {
        if (!stream) {
          res.writeHead(200, { "content-type": "application/json", ...requestIdHeader() });
          res.end(wire.truncatedJson);
          return;
        }
        wire.malformedStream(res);
        return;
      }
      case "hang":
        // Never answer; the request ends when the client aborts or the server closes.
        return waitForAbort(signal);
      case "disconnect": {
        if (stream) {
          await wire.openStream(res);
        } else {
          res.writeHead(200, { "content-type": "application/json", "content-length": "4096", ...requestIdHeader() });
          await new Promise<void>((resolve) => res.write(wire.truncatedJson, () => resolve()));
        }
        // Let the bytes reach the client so it sees a started response, then cut the connection.
        await sleep(20, signal);
        res.socket?.destroy();
        res.destroy();
        return;
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/v1`,
    host,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Hanging and keep-alive connections would otherwise keep close() pending forever.
        server.closeAllConnections();
      });
      return closing;
    },
    requests: () => structuredClone(recorded),
    clearRequests: () => {
      recorded.length = 0;
    },
    registerScript,
  };
}

// ---------------------------------------------------------------------------------------------
// Responses API (POST /v1/responses).

function responsesTurn(body: JsonObject): Turn {
  const texts = userTexts(body.input);
  const instructions = typeof body.instructions === "string" ? body.instructions : "";
  return {
    stream: body.stream === true,
    scriptName: findScriptMarker([...texts, instructions]) ?? DEFAULT_SCRIPT,
    prompt: stripMarkers(texts[0] ?? ""),
    startIndex: nextStepIndex(body.input),
    ...(instructions.startsWith(COMPACTION_MARK) ? { compactionSummary: compactionSummaryFor(stripMarkers(texts[0] ?? ""), body.input) } : {}),
  };
}

function responsesWire(body: JsonObject): Wire {
  const stream = body.stream === true;
  return {
    api: "responses",
    async reply(res, plan, inputTokens, signal) {
      if (stream) return streamResponse(res, body, plan, inputTokens, signal);
      await sleep(plan.delayMs, signal);
      if (signal.aborted) return;
      sendJson(res, 200, completedResponse(baseResponse(body), outputItems(plan), inputTokens), requestIdHeader());
    },
    truncatedJson: '{"id": "resp_truncated", "output": [',
    malformedStream(res) {
      const sse = startSse(res);
      sse.send({ type: "response.created", response: { ...baseResponse(body), status: "in_progress" } });
      res.end("data: {this is not json\n\n");
    },
    async openStream(res) {
      const sse = startSse(res);
      sse.send({ type: "response.created", response: { ...baseResponse(body), status: "in_progress" } });
      await sse.send({ type: "response.in_progress", response: { ...baseResponse(body), status: "in_progress" } });
    },
  };
}

async function streamResponse(res: http.ServerResponse, body: JsonObject, plan: Plan, inputTokens: number, signal: AbortSignal): Promise<void> {
  const sse = startSse(res);
  const base = baseResponse(body);
  sse.send({ type: "response.created", response: { ...base, status: "in_progress" } });
  sse.send({ type: "response.in_progress", response: { ...base, status: "in_progress" } });
  // delayMs models time-to-first-token: headers and response.created arrive promptly, like the real API.
  await sleep(plan.delayMs, signal);
  if (signal.aborted) return;

  const items = outputItems(plan);
  const output: JsonObject[] = [];
  for (const [outputIndex, planned] of plan.outputs.entries()) {
    const done = items[outputIndex] ?? {};
    const itemId = String(done.id);
    if (planned.kind === "message") {
      const emptyPart = { type: "output_text", text: "", annotations: [], logprobs: [] };
      const part = { ...emptyPart, text: planned.text };
      sse.send({ type: "response.output_item.added", output_index: outputIndex, item: { ...done, status: "in_progress", content: [] } });
      sse.send({ type: "response.content_part.added", item_id: itemId, output_index: outputIndex, content_index: 0, part: emptyPart });
      for (const delta of chunk(planned.text, textChunkSize(planned.text))) {
        sse.send({ type: "response.output_text.delta", item_id: itemId, output_index: outputIndex, content_index: 0, delta, logprobs: [] });
        await tick();
      }
      sse.send({ type: "response.output_text.done", item_id: itemId, output_index: outputIndex, content_index: 0, text: planned.text, logprobs: [] });
      sse.send({ type: "response.content_part.done", item_id: itemId, output_index: outputIndex, content_index: 0, part });
    } else {
      sse.send({ type: "response.output_item.added", output_index: outputIndex, item: { ...done, status: "in_progress", arguments: "" } });
      for (const delta of chunk(planned.arguments, argumentChunkSize(planned.arguments))) {
        sse.send({ type: "response.function_call_arguments.delta", item_id: itemId, output_index: outputIndex, delta });
        await tick();
      }
      sse.send({
        type: "response.function_call_arguments.done",
        item_id: itemId,
        output_index: outputIndex,
        name: planned.name,
        arguments: planned.arguments,
      });
    }
    sse.send({ type: "response.output_item.done", output_index: outputIndex, item: done });
    output.push(done);
    if (signal.aborted) return;
  }
  sse.send({ type: "response.completed", response: completedResponse(base, output, inputTokens) });
  res.end();
}

// ---------------------------------------------------------------------------------------------
// Chat Completions (POST /v1/chat/completions), for providers without the Responses API.

function chatTurn(body: JsonObject): Turn {
  // Chat user messages ({ role: "user", content: string | [{ type: "text", text }] }) read like
  // Responses input messages, and tool_call_ids / tool_calls[].id carry the same minted call ids.
  const texts = userTexts(body.messages);
  return {
    stream: body.stream === true,
    scriptName: findScriptMarker(texts) ?? DEFAULT_SCRIPT,
    prompt: stripMarkers(texts[0] ?? ""),
    startIndex: nextStepIndex(body.messages),
    ...(systemText(body.messages).startsWith(COMPACTION_MARK) ? { compactionSummary: compactionSummaryFor(stripMarkers(texts[0] ?? ""), body.messages) } : {}),
  };
}

type ChatToolCall = { id: string; type: "function"; function: { name: string; arguments: string } };

/** The single assistant message a step becomes: its text (null without "say") and its tool calls. */
function chatMessage(plan: Plan): { content: string | null; toolCalls: ChatToolCall[] } {
  const texts = plan.outputs.flatMap((planned) => (planned.kind === "message" ? [planned.text] : []));
  const toolCalls = plan.outputs
    .flatMap((planned) => (planned.kind === "call" ? [planned] : []))
    .map(
      (call, n): ChatToolCall => ({
        id: mintCallId(plan.stepIndex, n),
        type: "function",
        function: { name: call.name, arguments: call.arguments },
      }),
    );
  return { content: texts.length > 0 ? texts.join("\n\n") : null, toolCalls };
}

function chatUsage(inputTokens: number, message: { content: string | null; toolCalls: ChatToolCall[] }): JsonObject {
  const outputChars = JSON.stringify(message.content ?? "").length + message.toolCalls.reduce((sum, call) => sum + call.function.arguments.length, 0);
  const outputTokens = Math.ceil(outputChars / 4);
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

function chatBase(body: JsonObject, object: "chat.completion" | "chat.completion.chunk"): JsonObject {
  return {
    id: `chatcmpl-${rand(12)}`,
    object,
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === "string" ? body.model : MODEL_ID,
  };
}

function chatWire(body: JsonObject): Wire {
  const stream = body.stream === true;
  const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
  const base = chatBase(body, "chat.completion.chunk");
  // Like the real API: with include_usage, every chunk has usage null except the final usage chunk.
  const chunkOf = (delta: JsonObject, finishReason: string | null = null): JsonObject => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const opening = chunkOf({ role: "assistant", content: "", refusal: null });
  return {
    api: "chat",
    async reply(res, plan, inputTokens, signal) {
      if (stream) return streamChat(res, plan, inputTokens, signal, { base, chunkOf, opening, includeUsage });
      await sleep(plan.delayMs, signal);
      if (signal.aborted) return;
      const message = chatMessage(plan);
      sendJson(
        res,
        200,
        {
          ...chatBase(body, "chat.completion"),
          choices: [
            {
              index: 0,
              message: {
                role: "assistant",
                content: message.content,
                refusal: null,
                annotations: [],
                ...(message.toolCalls.length > 0 ? { tool_calls: message.toolCalls } : {}),
              },
              logprobs: null,
              finish_reason: message.toolCalls.length > 0 ? "tool_calls" : "stop",
            },
          ],
          usage: chatUsage(inputTokens, message),
        },
        requestIdHeader(),
      );
    },
    truncatedJson: '{"id": "chatcmpl-truncated", "object": "chat.completion", "choices": [',
    malformedStream(res) {
      const sse = startChatSse(res);
      sse.send(opening);
      res.end("data: {this is not json\n\n");
    },
    async openStream(res) {
      await startChatSse(res).send(opening);
    },
  };
}

async function streamChat(
  res: http.ServerResponse,
  plan: Plan,
  inputTokens: number,
  signal: AbortSignal,
  chunks: { base: JsonObject; chunkOf: (delta: JsonObject, finishReason?: string | null) => JsonObject; opening: JsonObject; includeUsage: boolean },
): Promise<void> {
  const { base, chunkOf, opening, includeUsage } = chunks;
  const sse = startChatSse(res);
  // delayMs models time-to-first-token: headers and the role chunk arrive promptly, content later.
  sse.send(opening);
  await sleep(plan.delayMs, signal);
  if (signal.aborted) return;

  const message = chatMessage(plan);
  if (message.content !== null) {
    for (const content of chunk(message.content, textChunkSize(message.content))) {
      sse.send(chunkOf({ content }));
      await tick();
    }
  }
  for (const [index, call] of message.toolCalls.entries()) {
    sse.send(chunkOf({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }] }));
    for (const piece of chunk(call.function.arguments, argumentChunkSize(call.function.arguments))) {
      sse.send(chunkOf({ tool_calls: [{ index, function: { arguments: piece } }] }));
      await tick();
    }
    if (signal.aborted) return;
  }
  sse.send(chunkOf({}, message.toolCalls.length > 0 ? "tool_calls" : "stop"));
  if (includeUsage) sse.send({ ...base, choices: [], usage: chatUsage(inputTokens, message) });
  sse.end();
}

// ---------------------------------------------------------------------------------------------
// Script interpretation (exported for unit tests).

/** Texts of the user message items, in order (string input counts as one user message). */
export function userTexts(input: unknown): string[] {
  if (typeof input === "string") return [input];
  if (!Array.isArray(input)) return [];
  return input
    .filter(isRecord)
    .filter((item) => item.role === "user" && (item.type === undefined || item.type === "message"))
    .map((item) => contentText(item.content));
}

/** The marker of the latest message that has one: a follow-up turn can switch scripts. */
export function findScriptMarker(texts: string[]): string | undefined {
  for (const text of [...texts].reverse()) {
    const match = MARKER_RE.exec(text);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

export function stripMarkers(text: string): string {
  return text.replace(new RegExp(MARKER_RE.source, "g"), "").trim();
}

/**
 * The conversation is stateless (store: false, the client resends everything), so progress is read
 * back from ids we minted: call_<step>_<n>_<rand> on calls and their outputs, and msg_<step>_<rand>
 * on assistant messages (the latter lets a text-only step be followed by a new user turn).
 * Takes Responses input items or Chat Completions messages:
 * - Responses: function_call / function_call_output `call_id`, assistant message `id`;
 * - Chat Completions: tool message `tool_call_id`, assistant message `tool_calls[].id`. Chat
 *   messages carry no message id, so a text-only step there is not counted (like a Responses
 *   assistant message resent without its id).
 */
export function nextStepIndex(input: unknown): number {
  if (!Array.isArray(input)) return 0;
  let max = -1;
  for (const item of input) {
    if (!isRecord(item)) continue;
    for (const step of mintedSteps(item)) max = Math.max(max, step);
  }
  return max + 1;
}

function mintedSteps(item: JsonObject): number[] {
  const callIds: unknown[] = [];
  if ((item.type === "function_call" || item.type === "function_call_output") && typeof item.call_id === "string") {
    callIds.push(item.call_id);
  } else if (item.role === "tool") {
    callIds.push(item.tool_call_id);
  } else if (item.role === "assistant") {
    if (typeof item.id === "string") {
      const match = MESSAGE_ID_RE.exec(item.id);
      if (match?.[1]) return [Number(match[1])];
    }
    if (Array.isArray(item.tool_calls)) callIds.push(...item.tool_calls.filter(isRecord).map((call) => call.id));
  }
  return callIds.flatMap((id) => {
    const match = typeof id === "string" ? CALL_ID_RE.exec(id) : null;
    return match?.[1] ? [Number(match[1])] : [];
  });
}

/**
 * Replaces {{prompt}}. On a line starting with "+" (an added line in a patch) every continuation
 * line of a multi-line prompt is prefixed with "+" too, so the patch stays valid.
 */
export function substitutePrompt(value: string, prompt: string): string {
  if (!value.includes("{{prompt}}")) return value;
  const promptLines = prompt.replace(/\r\n?/g, "\n").split("\n");
  return value
    .split("\n")
    .map((line) => {
      if (!line.includes("{{prompt}}")) return line;
      // split/join rather than replace(): prompts may contain "$&"-style replacement patterns.
      return line.split("{{prompt}}").join(promptLines.join(line.startsWith("+") ? "\n+" : "\n"));
    })
    .join("\n");
}

function substituteDeep(value: unknown, prompt: string): unknown {
  if (typeof value === "string") return substitutePrompt(value, prompt);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, prompt));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, prompt)]));
  return value;
}

function planReply(step: ReplyStep, stepIndex: number, prompt: string): Plan {
  const outputs: PlannedOutput[] = [];
  if (step.say !== undefined) outputs.push({ kind: "message", text: substitutePrompt(step.say, prompt) });
  for (const call of step.calls ?? []) {
    const args = substituteDeep(call.arguments, prompt);
    outputs.push({ kind: "call", name: call.name, arguments: typeof args === "string" ? args : JSON.stringify(args) });
  }
  return { stepIndex, outputs, delayMs: step.delayMs ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// Wire format helpers.

/** The completed output items of a plan, with ids that encode the step (see nextStepIndex). */
function outputItems(plan: Plan): JsonObject[] {
  let callNumber = 0;
  const step = plan.stepIndex;
  return plan.outputs.map((planned) => {
    if (planned.kind === "message") {
      return {
        id: step === null ? `msg_${rand(12)}` : `msg_${step}_${rand(12)}`,
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: planned.text, annotations: [], logprobs: [] }],
      };
    }
    return {
      id: `fc_${rand(12)}`,
      type: "function_call",
      status: "completed",
      arguments: planned.arguments,
      call_id: mintCallId(step, callNumber++),
      name: planned.name,
    };
  });
}

/** call_<step>_<n>_<rand>: the n-th call of a step, read back by nextStepIndex (both APIs). */
function mintCallId(step: number | null, n: number): string {
  return `call_${step ?? 0}_${n}_${rand(6)}`;
}

function baseResponse(body: JsonObject): JsonObject {
  return {
    id: `resp_${rand(16)}`,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status: "in_progress",
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    metadata: body.metadata ?? {},
    model: typeof body.model === "string" ? body.model : MODEL_ID,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? "disabled",
    usage: null,
    user: null,
  };
}

function completedResponse(base: JsonObject, output: JsonObject[], inputTokens: number): JsonObject {
  const outputChars = output.reduce((sum, item) => sum + JSON.stringify(item.content ?? item.arguments ?? "").length, 0);
  const outputTokens = Math.ceil(outputChars / 4);
  return {
    ...base,
    status: "completed",
    completed_at: Math.floor(Date.now() / 1000),
    output,
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    },
  };
}

/** Sends the SSE response headers; the writer resolves once its text is written (or at once when closed). */
function openSse(res: http.ServerResponse): (text: string) => Promise<void> {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    ...requestIdHeader(),
  });
  return (text) => {
    if (res.destroyed || res.writableEnded) return Promise.resolve();
    return new Promise((resolve) => res.write(text, () => resolve()));
  };
}

/** Responses API events: named, with a sequence number. */
function startSse(res: http.ServerResponse): { send(event: JsonObject & { type: string }): Promise<void> } {
  const write = openSse(res);
  let sequence = 0;
  return {
    send(event) {
      if (res.destroyed || res.writableEnded) return Promise.resolve();
      const data = JSON.stringify({ ...event, sequence_number: sequence++ });
      return write(`event: ${event.type}\ndata: ${data}\n\n`);
    },
  };
}

/** Chat Completions chunks: unnamed `data:` lines, terminated by `data: [DONE]`. */
function startChatSse(res: http.ServerResponse): { send(chunk: JsonObject): Promise<void>; end(): void } {
  const write = openSse(res);
  return {
    send: (value) => write(`data: ${JSON.stringify(value)}\n\n`),
    end() {
      if (!res.destroyed && !res.writableEnded) res.end("data: [DONE]\n\n");
    },
  };
}

function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(
  res: http.ServerResponse,
  status: number,
  error: { message: string; type: string; code: string | null },
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { ...error, param: null } }, { ...requestIdHeader(), ...headers });
}

function modelObject(): JsonObject {
  return { id: MODEL_ID, object: "model", created: 1_700_000_000, owned_by: "patchbay" };
}

function requestIdHeader(): Record<string, string> {
  return { "x-request-id": `req_${rand(12)}` };
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter(isRecord)
    .filter((part) => (part.type === "input_text" || part.type === "text") && typeof part.text === "string")
    .map((part) => part.text as string)
    .join("\n");
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === "authorization" || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Resolves to the body text, or undefined when it exceeds MAX_BODY_BYTES. */
async function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const piece of req) {
    const buf = piece as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

function parseJsonOr(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    return text;
  }
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function rand(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** Splits by code points so a surrogate pair never straddles two deltas. */
function chunk(text: string, size: number): string[] {
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}

function textChunkSize(text: string): number {
  return Math.min(48, Math.max(1, Math.ceil([...text].length / 6)));
}

function argumentChunkSize(args: string): number {
  return Math.max(1, Math.ceil([...args].length / 3));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** Yields between deltas so they go out as separate writes, like a real token stream. */
function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function systemText(messages: unknown): string {
  if (!Array.isArray(messages)) return "";
  const first = messages.find((message) => isRecord(message) && (message.role === "system" || message.role === "developer"));
  return isRecord(first) && typeof first.content === "string" ? first.content : "";
}
