// Every visible text of a rendered page with its box, read by the worker's browser right after a
// full-page screenshot (lib/copy/page-map.ts matches them to catalog entries). Boxes are in page
// coordinates, the picture's pixels at device scale 1.
import type { Page } from "playwright-core";
import type { RenderedText } from "@/lib/copy/page-map";

/** Upper bound on what one page returns: a page is a picture for people, not a data dump. */
const MAX_TEXTS = 4_000;
const MAX_ELEMENT_TEXT = 400;

// Runs in the page, so it is a string: the worker's TypeScript transform must not touch it.
const READ_TEXTS = `(() => {
  const max = ${MAX_TEXTS};
  const out = [];
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD"]);
  const attributes = ["placeholder", "alt", "title", "aria-label", "aria-description", "aria-roledescription", "aria-valuetext", "aria-placeholder", "label"];
  const sx = window.scrollX, sy = window.scrollY;
  const place = (rect) => ({ x: Math.round(rect.left + sx), y: Math.round(rect.top + sy), width: Math.round(rect.width), height: Math.round(rect.height) });
  const shown = (element) => {
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      if (skip.has(node.tagName)) return false;
      const style = getComputedStyle(node);
      if (style.display === "none" || style.visibility === "hidden" || style.opacity === "0") return false;
    }
    return true;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const mixed = new Set();
  while (out.length < max && walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.nodeValue || !node.nodeValue.trim() || !node.parentElement || !shown(node.parentElement)) continue;
    range.selectNodeContents(node);
    const rect = range.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    out.push({ text: node.nodeValue, ...place(rect) });
    const parent = node.parentElement;
    if (parent.children.length > 0) mixed.add(parent);
    else if (parent.parentElement && parent.parentElement !== document.body) mixed.add(parent.parentElement);
  }
  for (const element of mixed) {
    const text = element.textContent || "";
    if (out.length >= max || text.length > ${MAX_ELEMENT_TEXT} || !text.trim()) continue;
    const rect = element.getBoundingClientRect();
    if (rect.width > 0 && rect.height > 0) out.push({ text, element: true, ...place(rect) });
  }
  for (const element of document.body.querySelectorAll("*")) {
    if (out.length >= max) break;
    for (const name of attributes) {
      const value = element.getAttribute(name);
      if (!value || !value.trim() || !shown(element)) continue;
      const rect = element.getBoundingClientRect();
      if (rect.width > 0 && rect.height > 0) out.push({ text: value, attribute: name, ...place(rect) });
    }
  }
  if (document.title.trim()) out.push({ text: document.title, attribute: "title", x: 0, y: 0, width: 0, height: 0 });
  return out;
})()`;

export async function readRenderedTexts(page: Page): Promise<RenderedText[]> {
  const texts = (await page.evaluate(READ_TEXTS)) as RenderedText[];
  return texts.map((text) => ({ ...text, text: text.text.slice(0, 2_000) }));
}
