// Where the catalog's texts are on the rendered pages. The worker renders each route at the branch head
// (worker/copy/page-pictures.ts), reads every visible text node and text attribute with its box, and
// this module matches them to catalog entries by their text. The result confirms which entries really
// appear on which route and lets the Copy page outline each text on a picture of its page.
// Browser-safe: the Copy page imports the types.
import { EVERY_PAGE } from "./catalog-entry";

/** A visible piece of text in the page, in CSS pixels of the full-page picture. */
export type RenderedText = {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Set when the text is an attribute (placeholder, alt, aria-label, title) rather than a text node. */
  attribute?: string;
  /** An element's whole text when it holds inline markup ("Read the <a>docs</a>"); matched after text nodes. */
  element?: true;
};

export type PageBox = {
  /** The entries with this text, the likeliest first (those the code places on this route). */
  entryIds: string[];
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
};

export type PagePicture = {
  route: string;
  viewport: { name: string; width: number; height: number };
  artifactId: string;
  /** The picture's size in pixels; boxes are in the same units. */
  width: number;
  height: number;
  boxes: PageBox[];
  /** Entries found on the route with no place in the picture (the document title). */
  unplaced: string[];
};

export type PageMap = {
  commit: string;
  attemptId: string;
  takenAt: string;
  pictures: PagePicture[];
  /** Routes that could not be pictured, with a reason a person can act on. */
  failures: { route: string; message: string }[];
};

type Matchable = { id: string; text: string; pages: string[] };

/** Whitespace as rendering collapses it. */
export function normalizeText(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The entries each rendered text shows. A message with placeholders ("Hello {name}", "{{count}} items")
 * matches any text with something in their place; rich-text tags (`<b>…</b>`) match their content. ICU
 * plurals and selects are matched by their literal parts only when nothing else matched.
 */
export function placeTexts(entries: Matchable[], route: string, texts: RenderedText[]): { boxes: PageBox[]; unplaced: string[] } {
  const exact = new Map<string, Matchable[]>();
  const patterns: { entry: Matchable; pattern: RegExp }[] = [];
  for (const entry of entries) {
    const normalized = normalizeText(stripTags(entry.text));
    if (normalized === "") continue;
    if (/[{}]/.test(normalized)) {
      const pattern = placeholderPattern(normalized);
      if (pattern) patterns.push({ entry, pattern });
      continue;
    }
    exact.set(normalized, [...(exact.get(normalized) ?? []), entry]);
  }
  const onRoute = (entry: Matchable) => entry.pages.includes(route) || entry.pages.includes(EVERY_PAGE);
  const ranked = (matches: Matchable[]) => [...matches].sort((a, b) => Number(onRoute(b)) - Number(onRoute(a))).map((entry) => entry.id);

  const boxes: PageBox[] = [];
  const unplaced = new Set<string>();
  const placed = new Set<string>();
  // Text nodes first: an element's whole text is only a fallback for messages with inline markup.
  const ordered = [...texts].sort((a, b) => Number(a.element ?? false) - Number(b.element ?? false));
  for (const rendered of ordered) {
    const text = normalizeText(rendered.text);
    if (text === "") continue;
    let matches = exact.get(text) ?? patterns.filter(({ pattern }) => pattern.test(text)).map(({ entry }) => entry);
    if (rendered.element) matches = matches.filter((entry) => !placed.has(entry.id));
    if (matches.length === 0) continue;
    const entryIds = ranked(matches);
    for (const id of entryIds) placed.add(id);
    if (rendered.width <= 0 || rendered.height <= 0) {
      for (const id of entryIds) unplaced.add(id);
      continue;
    }
    boxes.push({ entryIds, text, x: rendered.x, y: rendered.y, width: rendered.width, height: rendered.height });
  }
  for (const id of placed) if (boxes.some((box) => box.entryIds.includes(id))) unplaced.delete(id);
  return { boxes, unplaced: [...unplaced] };
}

/** `<b>bold</b>` and `<0>link</0>` (ICU rich text, i18next Trans) render as their content. */
function stripTags(text: string): string {
  return text.replace(/<\/?[\w-]+\s*\/?>/g, "");
}

/** A RegExp for a message with simple placeholders, or undefined for nested ones (plural, select). */
function placeholderPattern(message: string): RegExp | undefined {
  const parts = message.split(/(\{\{\s*[\w.-]+\s*\}\}|\{\s*[\w.-]+\s*(?:,\s*(?:number|date|time)[^{}]*)?\})/);
  if (parts.some((part, index) => index % 2 === 0 && /[{}]/.test(part))) return undefined;
  const literal = parts.filter((_, index) => index % 2 === 0).join("");
  // A message that is only placeholders would match any text.
  if (normalizeText(literal) === "") return undefined;
  const source = parts.map((part, index) => (index % 2 === 0 ? escapeRegExp(part) : ".+?")).join("");
  return new RegExp(`^${source}$`, "u");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Each entry's routes as the pictures show them. */
export function renderedPagesOf(map: PageMap): Map<string, string[]> {
  const pages = new Map<string, Set<string>>();
  for (const picture of map.pictures) {
    for (const id of [...picture.boxes.flatMap((box) => box.entryIds), ...picture.unplaced]) {
      const set = pages.get(id) ?? new Set<string>();
      set.add(picture.route);
      pages.set(id, set);
    }
  }
  return new Map([...pages].map(([id, set]) => [id, [...set].sort()]));
}

/**
 * The routes to picture: the static routes the code places texts on (most texts first, "/" always),
 * plus any the environment's preview lists. Dynamic routes (`/posts/[id]`, `/users/:id`) need data
 * we do not have and are left out.
 */
export function routesToPicture(entries: { pages: string[] }[], configured: string[], limit: number): string[] {
  const counts = new Map<string, number>();
  for (const entry of entries) for (const page of entry.pages) counts.set(page, (counts.get(page) ?? 0) + 1);
  const fromCode = [...counts]
    .filter(([route]) => isStaticRoute(route))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([route]) => route);
  return [...new Set(["/", ...configured.filter(isStaticRoute), ...fromCode])].slice(0, limit);
}

/** A route a browser can open as written: `/pricing`, not `/posts/[slug]`, `/users/:id` or `/docs/*`. */
export function isStaticRoute(route: string): boolean {
  return route.startsWith("/") && !/[[\]:*]/.test(route);
}
