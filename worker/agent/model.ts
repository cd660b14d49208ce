// The only OpenAI client in Patchbay. One model turn = one streamed Responses API call; its output items
// (messages and function calls) are returned for the loop to append to the conversation. The
// conversation is resent each turn (store: false), so no state lives at the provider.
import OpenAI from "openai";
import type { FunctionTool, ResponseInputItem, ResponseOutputItem, ResponseStreamEvent } from "openai/resources/responses/responses";
import { AppError } from "@/lib/errors";

export type ReasoningEffort = "minimal" | "low" | "medium" | "high";
export type ModelApi = "responses" | "chat";
export type ModelConfig = { apiKey: string; baseURL?: string; model: string; timeoutMs: number; reasoningEffort?: ReasoningEffort; api?: ModelApi };

export type ModelTurn = {
  items: ResponseOutputItem[];
  usage: { inputTokens: number; outputTokens: number };
};

export type ModelTurnInput = {
  instructions: string;
  input: ResponseInputItem[];
  tools: FunctionTool[];
  /** "none" for side requests (compaction) that must answer in text. */
  toolChoice?: "auto" | "none";
  signal: AbortSignal;
  onTextDelta?: (text: string) => void;
  onReasoningSummary?: (text: string) => void;
};

export type ModelClient = { model: string; baseURL: string; turn(input: ModelTurnInput): Promise<ModelTurn> };

/** No event for this long on an open stream means the endpoint stalled. */
const STREAM_IDLE_MS = 120_000;

export function createModelClient(config: ModelConfig): ModelClient {
  const client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseURL, timeout: config.timeoutMs, maxRetries: 2 });
  const baseURL = client.baseURL;

  return {
    model: config.model,
    baseURL,
    async turn(turnInput) {
      const idle = new AbortController();
      const signal = AbortSignal.any([turnInput.signal, idle.signal]);
      let idleTimer = setTimeout(() => idle.abort(), Math.min(STREAM_IDLE_MS, config.timeoutMs));
      const resetIdle = () => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => idle.abort(), Math.min(STREAM_IDLE_MS, config.timeoutMs));
      };
      try {
        const stream = config.api === "chat" ? chatTurn(client, config, turnInput, signal) : responsesTurn(client, config, turnInput, signal);
        let result: ModelTurn | null = null;
        for await (const progress of stream) {
          resetIdle();
          if (progress) result = progress;
        }
        if (!result) throw new AppError("model_error", `The model endpoint at ${baseURL} ended the stream before the response was complete.`);
        return result;
      } catch (error) {
        if (turnInput.signal.aborted) throw new AppError("cancelled", "Cancelled.");
        if (idle.signal.aborted) {
          throw new AppError(
            "model_error",
            `The model endpoint at ${baseURL} stopped sending data for ${Math.round(Math.min(STREAM_IDLE_MS, config.timeoutMs) / 1000)} s.`,
          );
        }
        throw describeModelError(error, baseURL);
      } finally {
        clearTimeout(idleTimer);
      }
    },
  };
}

/**
 * One streamed Responses API call. Yields null for each event (to keep the idle timer fed) and the
 * finished turn once `response.completed` arrives.
 */
async function* responsesTurn(client: OpenAI, config: ModelConfig, turnInput: ModelTurnInput, signal: AbortSignal): AsyncGenerator<ModelTurn | null> {
  const items: ResponseOutputItem[] = [];
  const stream = await client.responses.create(
    {
      model: config.model,
      instructions: turnInput.instructions,
      input: turnInput.input,
      tools: turnInput.tools,
      stream: true,
      store: false,
      parallel_tool_calls: false,
      ...(turnInput.toolChoice ? { tool_choice: turnInput.toolChoice } : {}),
      ...(config.reasoningEffort ? { reasoning: { effort: config.reasoningEffort, summary: "auto" } } : {}),
    },
    { signal },
  );
  for await (const event of stream as AsyncIterable<ResponseStreamEvent>) {
    switch (event.type) {
      case "response.output_text.delta":
        turnInput.onTextDelta?.(event.delta);
        break;
      case "response.reasoning_summary_text.done":
        turnInput.onReasoningSummary?.(event.text);
        break;
      case "response.output_item.done":
        items.push(event.item);
        break;
      case "response.completed":
        yield { items, usage: { inputTokens: event.response.usage?.input_tokens ?? 0, outputTokens: event.response.usage?.output_tokens ?? 0 } };
        continue;
      case "response.failed":
        throw new AppError("model_error", `The model failed: ${event.response.error?.message ?? "no reason given"}.`);
      case "response.incomplete":
        throw new AppError("model_error", `The model stopped early: ${event.response.incomplete_details?.reason ?? "no reason given"}.`);
      case "error":
        throw new AppError("model_error", `The model endpoint reported an error: ${event.message}.`);
      default:
        break;
    }
    yield null;
  }
}

/**
 * The same turn over Chat Completions, for OpenAI-compatible servers without the Responses API. The
 * conversation is translated to messages and the streamed answer back to Responses-shaped items, so
 * the agent loop does not know which API it talks to.
 */
async function* chatTurn(client: OpenAI, config: ModelConfig, turnInput: ModelTurnInput, signal: AbortSignal): AsyncGenerator<ModelTurn | null> {
  const stream = await client.chat.completions.create(
    {
      model: config.model,
      messages: toChatMessages(turnInput.instructions, turnInput.input),
      tools: turnInput.tools.map((tool) => ({
        type: "function",
        function: { name: tool.name, description: tool.description ?? "", parameters: tool.parameters ?? {} },
      })),
      stream: true,
      stream_options: { include_usage: true },
      parallel_tool_calls: false,
      ...(turnInput.toolChoice ? { tool_choice: turnInput.toolChoice } : {}),
      ...(config.reasoningEffort ? { reasoning_effort: config.reasoningEffort } : {}),
    },
    { signal },
  );
  let text = "";
  let finished = false;
  let usage = { inputTokens: 0, outputTokens: 0 };
  const calls: { id: string; name: string; arguments: string }[] = [];
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (choice?.delta.content) {
      text += choice.delta.content;
      turnInput.onTextDelta?.(choice.delta.content);
    }
    for (const call of choice?.delta.tool_calls ?? []) {
      calls[call.index] ??= { id: "", name: "", arguments: "" };
      const slot = calls[call.index]!;
      if (call.id) slot.id = call.id;
      if (call.function?.name) slot.name += call.function.name;
      if (call.function?.arguments) slot.arguments += call.function.arguments;
    }
    if (choice?.finish_reason) finished = true;
    if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
    yield null;
  }
  if (!finished) return;
  const items: ResponseOutputItem[] = [];
  if (text) items.push({ type: "message", id: "", role: "assistant", status: "completed", content: [{ type: "output_text", text, annotations: [] }] });
  for (const call of calls) items.push({ type: "function_call", call_id: call.id, name: call.name, arguments: call.arguments || "{}" });
  yield { items, usage };
}

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** Responses-style conversation items → chat messages (function calls become assistant tool_calls). */
export function toChatMessages(instructions: string, input: ResponseInputItem[]): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: "system", content: instructions }];
  for (const item of input) {
    if ("role" in item && (item.role === "user" || item.role === "assistant") && typeof item.content === "string") {
      messages.push({ role: item.role, content: item.content });
      continue;
    }
    if (item.type === "function_call") {
      const call = { id: item.call_id, type: "function" as const, function: { name: item.name, arguments: item.arguments } };
      const last = messages.at(-1);
      if (last?.role === "assistant" && !last.content) last.tool_calls = [...(last.tool_calls ?? []), call];
      else messages.push({ role: "assistant", content: null, tool_calls: [call] });
      continue;
    }
    if (item.type === "function_call_output") {
      if (typeof item.output === "string") {
        messages.push({ role: "tool", tool_call_id: item.call_id, content: item.output });
        continue;
      }
      // Tool messages carry text only; an image (a screenshot) follows as a user message.
      const texts = item.output.flatMap((part) => (part.type === "input_text" ? [part.text] : []));
      messages.push({ role: "tool", tool_call_id: item.call_id, content: texts.join("\n") || "(see the image below)" });
      const images = item.output.flatMap((part) => (part.type === "input_image" && part.image_url ? [part.image_url] : []));
      if (images.length > 0) {
        messages.push({ role: "user", content: images.map((url) => ({ type: "image_url" as const, image_url: { url } })) });
      }
    }
  }
  return messages;
}

/** Turns SDK and network errors into messages that say what to do. */
export function describeModelError(error: unknown, baseURL: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new AppError("model_error", `The model endpoint at ${baseURL} did not answer in time. Check that it is up, or raise PATCHBAY_MODEL_TIMEOUT_SEC.`, {
      cause: error,
    });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new AppError("model_error", `Could not reach the model endpoint at ${baseURL}. Check OPENAI_BASE_URL and that the worker host can reach it.`, {
      cause: error,
    });
  }
  if (error instanceof OpenAI.APIError) {
    // Our messages add their own full stop.
    const detail = error.message.slice(0, 300).replace(/[.\s]+$/, "");
    switch (error.status) {
      case 401:
      case 403:
        return new AppError("model_error", `The model endpoint rejected the API key (HTTP ${error.status}). Check OPENAI_API_KEY.`, { cause: error });
      case 404:
        return new AppError(
          "model_error",
          `The model endpoint does not know this model or API (HTTP 404): ${detail}. Check PATCHBAY_MODEL and OPENAI_BASE_URL.`,
          { cause: error },
        );
      case 429:
        return new AppError(
          "model_error",
          `The model endpoint is rate limiting requests (HTTP 429) and retries did not help. Wait, or raise your provider quota.`,
          { cause: error },
        );
      default:
        if (error.status !== undefined && error.status >= 500) {
          return new AppError("model_error", `The model endpoint failed (HTTP ${error.status}) after retries: ${detail}. Try again later.`, { cause: error });
        }
        if (error.status === undefined) {
          return new AppError("model_error", `The model endpoint sent a stream Patchbay could not read: ${detail}.`, { cause: error });
        }
        return new AppError("model_error", `The model endpoint refused the request (HTTP ${error.status}): ${detail}.`, { cause: error });
    }
  }
  return new AppError(
    "model_error",
    `The model endpoint sent a response Patchbay could not read: ${String((error as Error)?.message ?? error).slice(0, 300)}.`,
    { cause: error },
  );
}
