import { describe, expect, it } from "vitest";
import { MAX_EVENT_CHUNK_BYTES } from "@/lib/events";
import { capForModel, chunkForEvents, MODEL_OUTPUT_LIMIT } from "./output-cap";

describe("capForModel", () => {
  it("returns text within the limit unchanged", () => {
    expect(capForModel("short")).toBe("short");
    const exact = "x".repeat(MODEL_OUTPUT_LIMIT);
    expect(capForModel(exact)).toBe(exact);
  });

  it("keeps the head and the tail with a marker saying how much was dropped", () => {
    const text = `HEAD-${"m".repeat(1000)}-TAIL`;
    const capped = capForModel(text, 100);
    expect(capped.startsWith("HEAD-")).toBe(true);
    expect(capped.endsWith("-TAIL")).toBe(true);
    const [head, tail] = capped.split(/\n\[\.\.\. \d+ characters omitted \.\.\.\]\n/);
    expect(head).toHaveLength(50);
    expect(tail).toHaveLength(50);
    expect(capped).toContain(`[... ${text.length - 100} characters omitted ...]`);
    expect(text.startsWith(head!)).toBe(true);
    expect(text.endsWith(tail!)).toBe(true);
  });

  it("caps at the model limit by default", () => {
    const capped = capForModel("y".repeat(MODEL_OUTPUT_LIMIT * 4));
    expect(capped.length).toBeLessThan(MODEL_OUTPUT_LIMIT + 100);
    expect(capped).toContain(`[... ${MODEL_OUTPUT_LIMIT * 3} characters omitted ...]`);
  });

  it("counts an odd limit correctly", () => {
    const capped = capForModel("abcdefghij", 5);
    expect(capped).toBe("ab\n[... 6 characters omitted ...]\nij");
  });
});

describe("chunkForEvents", () => {
  const sizes = (chunks: string[]) => chunks.map((chunk) => Buffer.byteLength(chunk, "utf8"));

  it("returns nothing for empty text and one chunk for small text", () => {
    expect(chunkForEvents("")).toEqual([]);
    expect(chunkForEvents("hello\n")).toEqual(["hello\n"]);
  });

  it("splits ASCII into full 8 KiB chunks and loses nothing", () => {
    const text = "a".repeat(MAX_EVENT_CHUNK_BYTES * 2 + 10);
    const chunks = chunkForEvents(text);
    expect(sizes(chunks)).toEqual([MAX_EVENT_CHUNK_BYTES, MAX_EVENT_CHUNK_BYTES, 10]);
    expect(chunks.join("")).toBe(text);
  });

  it.each([
    ["2-byte", "é"],
    ["3-byte", "€"],
    ["4-byte (surrogate pair)", "😀"],
    ["mixed", "a€😀é\n"],
  ])("never exceeds 8 KiB with %s characters and never splits a character", (_name, unit) => {
    const text = unit.repeat(Math.ceil((MAX_EVENT_CHUNK_BYTES * 3) / Buffer.byteLength(unit)) + 7);
    const chunks = chunkForEvents(text);
    expect(chunks.length).toBeGreaterThan(2);
    for (const size of sizes(chunks)) expect(size).toBeLessThanOrEqual(MAX_EVENT_CHUNK_BYTES);
    // Every chunk is valid UTF-16 on its own (no lone surrogate), so it survives JSON and UTF-8 round trips.
    for (const chunk of chunks) expect(Buffer.from(chunk, "utf8").toString("utf8")).toBe(chunk);
    expect(chunks.join("")).toBe(text);
  });

  it("starts a new chunk when the next character would not fit", () => {
    // 8191 ASCII bytes leave 1 byte free: a 3-byte character must go to the next chunk.
    const text = `${"a".repeat(MAX_EVENT_CHUNK_BYTES - 1)}€b`;
    expect(chunkForEvents(text)).toEqual(["a".repeat(MAX_EVENT_CHUNK_BYTES - 1), "€b"]);
  });
});
