// Replaces the literal value of every secret in scope with [redacted:<name>] before text is stored,
// streamed or logged. Literal values, not token shapes: token formats change (GitHub's did in 2026).
export type Secret = { name: string; value: string };

const MIN_SECRET_LENGTH = 4;

export type Redactor = {
  redact(text: string): string;
  /** For streamed text: holds back a tail that could be the start of a secret split across chunks. */
  stream(): { push(chunk: string): string; flush(): string };
};

export function createRedactor(secrets: readonly Secret[]): Redactor {
  const usable = secrets.filter((secret) => secret.value.length >= MIN_SECRET_LENGTH).sort((a, b) => b.value.length - a.value.length);
  const longest = usable[0]?.value.length ?? 0;

  function redact(text: string): string {
    let out = text;
    for (const secret of usable) out = out.split(secret.value).join(`[redacted:${secret.name}]`);
    return out;
  }

  return {
    redact,
    stream() {
      let carry = "";
      return {
        push(chunk: string): string {
          const joined = carry + chunk;
          if (longest === 0) return joined;
          const redacted = redact(joined);
          // Keep the last (longest - 1) characters back: a secret that starts there may end in the next chunk.
          const keep = Math.min(longest - 1, redacted.length);
          carry = redacted.slice(redacted.length - keep);
          return redacted.slice(0, redacted.length - keep);
        },
        flush(): string {
          const rest = redact(carry);
          carry = "";
          return rest;
        },
      };
    },
  };
}
