// Output limits: the timeline gets up to STREAM_LIMIT of a command's output in ≤ 8 KiB events; the
// model gets a smaller head + tail so one noisy command cannot flood its context.
import { MAX_EVENT_CHUNK_BYTES } from "@/lib/events";

export const COMMAND_OUTPUT_LIMIT = 1024 * 1024;
export const STREAM_LIMIT = 256 * 1024;
export const MODEL_OUTPUT_LIMIT = 16 * 1024;

export function capForModel(text: string, limit = MODEL_OUTPUT_LIMIT): string {
  if (text.length <= limit) return text;
  const half = Math.floor(limit / 2);
  const omitted = text.length - 2 * half;
  return `${text.slice(0, half)}\n[... ${omitted} characters omitted ...]\n${text.slice(text.length - half)}`;
}

/** Splits text into chunks of at most MAX_EVENT_CHUNK_BYTES bytes (on character boundaries). */
export function chunkForEvents(text: string): string[] {
  const chunks: string[] = [];
  let current = "";
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > MAX_EVENT_CHUNK_BYTES) {
      chunks.push(current);
      current = "";
      bytes = 0;
    }
    current += char;
    bytes += size;
  }
  if (current) chunks.push(current);
  return chunks;
}
