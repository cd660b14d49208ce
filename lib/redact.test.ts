import { describe, expect, it } from "vitest";
import { createRedactor, redactDeep, type Secret } from "./redact";

// An installation token in the post-2026-04-27 style: a `ghs_` prefix but not 40 characters long, with
// characters the old shape never had. Made up; the redactor must not care about the shape at all.
const NEW_GITHUB_TOKEN = "ghs_1.Xv9kQ2mZ-p7wL_0aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ5aB6cD7eF8gH9iJ0kL1mN2oP3qR4sT5uV6wX7y";

const secrets: Secret[] = [
  { name: "OPENAI_API_KEY", value: "sk-proj-abcdef0123456789" },
  { name: "GITHUB_TOKEN", value: NEW_GITHUB_TOKEN },
  { name: "DB_PASSWORD", value: "hunter2!" },
];

function streamAll(redactor: ReturnType<typeof createRedactor>, chunks: readonly string[]): string {
  const stream = redactor.stream();
  return chunks.map((chunk) => stream.push(chunk)).join("") + stream.flush();
}

describe("createRedactor().redact", () => {
  const redactor = createRedactor(secrets);

  it("replaces every occurrence of every secret with its name", () => {
    const text = `key=sk-proj-abcdef0123456789 pw=hunter2! again sk-proj-abcdef0123456789`;
    expect(redactor.redact(text)).toBe("key=[redacted:OPENAI_API_KEY] pw=[redacted:DB_PASSWORD] again [redacted:OPENAI_API_KEY]");
  });

  it("redacts a GitHub token in the new format, which is not 40 characters", () => {
    expect(NEW_GITHUB_TOKEN.length).not.toBe(40);
    const out = redactor.redact(`Authorization: Bearer ${NEW_GITHUB_TOKEN}\n`);
    expect(out).toBe("Authorization: Bearer [redacted:GITHUB_TOKEN]\n");
    expect(out).not.toContain("ghs_");
  });

  it("replaces the longest secret first when one secret contains another", () => {
    const nested = createRedactor([
      { name: "SHORT", value: "abcd1234" },
      { name: "LONG", value: "xxabcd1234yy" },
    ]);
    expect(nested.redact("xxabcd1234yy and abcd1234")).toBe("[redacted:LONG] and [redacted:SHORT]");
  });

  it("ignores values too short to be real secrets (under 8 characters), which would redact ordinary words", () => {
    const short = createRedactor([
      { name: "TINY", value: "abc" },
      { name: "EMPTY", value: "" },
      { name: "SEVEN", value: "true123" },
      { name: "EIGHT", value: "wxyz1234" },
    ]);
    expect(short.redact("abc is true123, wxyz1234")).toBe("abc is true123, [redacted:EIGHT]");
    // An empty value must not be "found" between every character.
    expect(createRedactor([{ name: "EMPTY", value: "" }]).redact("text")).toBe("text");
  });

  it("leaves text without secrets unchanged", () => {
    expect(redactor.redact("nothing to see")).toBe("nothing to see");
    expect(createRedactor([]).redact("sk-proj-abcdef0123456789")).toBe("sk-proj-abcdef0123456789");
  });
});

describe("createRedactor().stream", () => {
  const redactor = createRedactor(secrets);
  const key = "sk-proj-abcdef0123456789";

  it("catches a secret split across two chunks", () => {
    const out = streamAll(redactor, [`before ${key.slice(0, 10)}`, `${key.slice(10)} after`]);
    expect(out).toBe("before [redacted:OPENAI_API_KEY] after");
  });

  it("catches a secret split across three chunks", () => {
    const out = streamAll(redactor, [`x ${NEW_GITHUB_TOKEN.slice(0, 5)}`, NEW_GITHUB_TOKEN.slice(5, 60), `${NEW_GITHUB_TOKEN.slice(60)} y`]);
    expect(out).toBe("x [redacted:GITHUB_TOKEN] y");
  });

  it("catches a secret streamed one character at a time", () => {
    const text = `a ${key} b hunter2! c`;
    expect(streamAll(redactor, [...text])).toBe("a [redacted:OPENAI_API_KEY] b [redacted:DB_PASSWORD] c");
  });

  it("never emits a prefix of a secret before it is complete", () => {
    const stream = redactor.stream();
    const emitted = stream.push(`log line ${key.slice(0, key.length - 1)}`);
    expect(emitted).not.toContain("sk-proj");
    expect(stream.push("9 done")).not.toContain("sk-proj");
  });

  it("flush returns the held-back tail, redacted", () => {
    const stream = redactor.stream();
    const first = stream.push(`tail ends with ${key}`);
    const rest = stream.flush();
    expect(first + rest).toBe("tail ends with [redacted:OPENAI_API_KEY]");
    // After a flush the stream starts empty.
    expect(stream.flush()).toBe("");
  });

  it("passes on at once what cannot be the start of a secret, and holds back only what could", () => {
    const stream = redactor.stream();
    // A command that prints a line and then works quietly: the line is shown while it works.
    expect(stream.push("started\n")).toBe("started\n");
    expect(stream.push(`next ${key.slice(0, 6)}`)).toBe("next ");
    expect(stream.flush()).toBe(key.slice(0, 6));
  });

  it("flush returns plain text that was held back", () => {
    const stream = redactor.stream();
    expect(stream.push("short") + stream.flush()).toBe("short");
  });

  it("matches redact() for every way of cutting the text into 2 or 3 chunks", () => {
    const text = `k=${key};t=${NEW_GITHUB_TOKEN};p=hunter2!;end`;
    const expected = redactor.redact(text);
    for (let i = 0; i <= text.length; i += 3) {
      expect(streamAll(redactor, [text.slice(0, i), text.slice(i)])).toBe(expected);
      for (let j = i; j <= text.length; j += 7) {
        expect(streamAll(redactor, [text.slice(0, i), text.slice(i, j), text.slice(j)])).toBe(expected);
      }
    }
  });

  it("does not half-redact a secret that contains another one when the chunk ends inside it", () => {
    const nested = createRedactor([
      { name: "DB_PASSWORD", value: "pw123456" },
      { name: "DATABASE_URL", value: "postgresql://app:pw123456@db.internal:5432/app" },
    ]);
    const text = "url=postgresql://app:pw123456@db.internal:5432/app;pw=pw123456;";
    const expected = "url=[redacted:DATABASE_URL];pw=[redacted:DB_PASSWORD];";
    expect(nested.redact(text)).toBe(expected);
    for (let i = 0; i <= text.length; i++) {
      expect(streamAll(nested, [text.slice(0, i), text.slice(i)]), `cut at ${i}`).toBe(expected);
    }
    expect(streamAll(nested, [...text])).toBe(expected);
  });

  it("holds back nothing of ordinary text, and at most (longest secret - 1) characters of a secret's start", () => {
    const stream = redactor.stream();
    const longest = NEW_GITHUB_TOKEN.length;
    const text = "x".repeat(5000);
    expect(stream.push(text)).toBe(text);
    const almost = NEW_GITHUB_TOKEN.slice(0, longest - 1);
    expect(stream.push(`y ${almost}`)).toBe("y ");
    expect(stream.flush()).toBe(almost);
  });

  it("passes text straight through when there are no usable secrets", () => {
    const stream = createRedactor([
      { name: "TINY", value: "ab" },
      { name: "SEVEN", value: "abcdefg" },
    ]).stream();
    expect(stream.push("hello ")).toBe("hello ");
    expect(stream.push("ab")).toBe("ab");
    expect(stream.flush()).toBe("");
  });
});

describe("redactDeep", () => {
  it("redacts every string of plain objects and arrays, and leaves keys and other values as they are", () => {
    const redact = createRedactor([{ name: "KEY", value: "s3cret-value" }]).redact;
    const when = new Date(0);
    const value = { error: "has s3cret-value", nested: [{ log: "s3cret-value!" }, 3, null], when, "s3cret-value": true };
    expect(redactDeep(value, redact)).toEqual({
      error: "has [redacted:KEY]",
      nested: [{ log: "[redacted:KEY]!" }, 3, null],
      when,
      "s3cret-value": true,
    });
    expect(redactDeep(value, redact).when).toBe(when);
  });
});
