// Replaces the literal value of every secret in scope with [redacted:<name>] before text is stored,
// streamed or logged. Literal values, not token shapes: token formats change (GitHub's did in 2026).
export type Secret = { name: string; value: string };

// Shorter values would redact ordinary words; real keys and tokens are far longer.
const MIN_SECRET_LENGTH = 8;

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

  /** The length of the longest end of `text` that is the beginning (not the whole) of some secret. */
  function startOfSecretAtEnd(text: string): number {
    for (let length = Math.min(longest - 1, text.length); length > 0; length -= 1) {
      const end = text.slice(text.length - length);
      if (usable.some((secret) => secret.value.length > length && secret.value.startsWith(end))) return length;
    }
    return 0;
  }

  return {
    redact,
    stream() {
      let carry = "";
      return {
        push(chunk: string): string {
          const joined = carry + chunk;
          if (longest === 0) return joined;
          // Keep back, unredacted, only an end that could be the start of a secret (it may end in the next
          // chunk). Anything else is passed on at once, so a command that prints a line and then works quietly
          // shows that line while it works. Never cut inside a secret, or a shorter secret it contains would
          // be redacted first and the rest of the longer one would leak.
          let cut = joined.length - startOfSecretAtEnd(joined);
          for (let moved = true; moved && cut > 0; ) {
            moved = false;
            for (const secret of usable) {
              const at = joined.indexOf(secret.value, Math.max(0, cut - secret.value.length + 1));
              if (at !== -1 && at < cut) {
                cut = at;
                moved = true;
              }
            }
          }
          carry = joined.slice(cut);
          return redact(joined.slice(0, cut));
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

/**
 * Applies `redact` to every string in plain objects and arrays, keys and structure unchanged; other
 * values (dates, Prisma's null markers) stay as they are.
 */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact)) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)])) as T;
  }
  return value;
}
