// JSX decodes HTML entities in text and attribute strings; this is the subset copy is likely to contain.
const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  copy: "©",
  reg: "®",
  trade: "™",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  laquo: "«",
  raquo: "»",
  middot: "·",
  bull: "•",
  times: "×",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  deg: "°",
  para: "¶",
  sect: "§",
  larr: "←",
  rarr: "→",
  uarr: "↑",
  darr: "↓",
};

export function decodeEntities(raw: string): string {
  return raw.replace(/&(?:#x([0-9a-f]+)|#(\d+)|([a-z][a-z0-9]*));/gi, (match, hex?: string, dec?: string, name?: string) => {
    if (hex !== undefined) return safeFromCodePoint(Number.parseInt(hex, 16)) ?? match;
    if (dec !== undefined) return safeFromCodePoint(Number.parseInt(dec, 10)) ?? match;
    return (name !== undefined ? NAMED[name] : undefined) ?? match;
  });
}

function safeFromCodePoint(code: number): string | undefined {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}
