// ICU MessageFormat, the message syntax of next-intl, FormatJS (react-intl) and Lingui catalogs: braces
// are arguments ({name}, {count, plural, …}) and tags are rich text (<b>…</b>), so a copy edit that adds a
// lone "{" or an unclosed "<i>" leaves a message the app can no longer render. Parsed with FormatJS's own
// parser, the one those libraries run.
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";

type Shape = { arguments: Set<string>; tags: Set<string> };

function shapeOf(text: string): Shape | null {
  let elements: MessageFormatElement[];
  try {
    elements = parse(text);
  } catch {
    return null;
  }
  const shape: Shape = { arguments: new Set(), tags: new Set() };
  const walk = (list: MessageFormatElement[]) => {
    for (const element of list) {
      if (element.type === TYPE.tag) {
        shape.tags.add(element.value);
        walk(element.children);
      } else if (element.type === TYPE.plural || element.type === TYPE.select) {
        shape.arguments.add(element.value);
        for (const option of Object.values(element.options)) walk(option.value);
      } else if (element.type !== TYPE.literal && element.type !== TYPE.pound) {
        shape.arguments.add(element.value);
      }
    }
  };
  walk(elements);
  return shape;
}

/**
 * Whether the messages of one locale file are ICU messages: some use an ICU argument or tag, and none uses
 * i18next's {{double braces}} (which ICU cannot parse).
 */
export function isIcuCatalog(messages: readonly string[]): boolean {
  let icu = false;
  for (const message of messages) {
    if (message.includes("{{")) return false;
    const shape = shapeOf(message);
    if (shape && (shape.arguments.size > 0 || shape.tags.size > 0)) icu = true;
  }
  return icu;
}

const tagList = (tags: string[]) => tags.map((tag) => `<${tag}>…</${tag}>`).join(", ");

/** Why `after` cannot replace the ICU message `before`, as a sentence for the person; undefined when it can. */
export function icuMessageProblem(before: string, after: string): string | undefined {
  const original = shapeOf(before);
  if (!original) return undefined; // not a message we can read: other checks apply
  const edited = shapeOf(after);
  if (!edited) {
    return "Braces { } and tags like <b> have a meaning in this text and this change leaves one unclosed. Keep the placeholders and tags as they were; to show a brace or a <, put it in single quotes: '{'";
  }
  const missingTags = [...original.tags].filter((tag) => !edited.tags.has(tag));
  if (missingTags.length) return `Keep the tags ${tagList(missingTags)}: the page uses them to style or link that part of the text`;
  const newTags = [...edited.tags].filter((tag) => !original.tags.has(tag));
  if (newTags.length)
    return `Remove ${tagList(newTags)}: only the tags the text already has work here${original.tags.size ? ` (${tagList([...original.tags])})` : ""}`;
  const missing = [...original.arguments].filter((name) => !edited.arguments.has(name));
  if (missing.length) return `Keep the placeholders ${missing.map((name) => `{${name}}`).join(", ")}`;
  const extra = [...edited.arguments].filter((name) => !original.arguments.has(name));
  if (extra.length)
    return `Remove ${extra.map((name) => `{${name}}`).join(", ")}: only these placeholders have a value here: ${[...original.arguments].map((name) => `{${name}}`).join(", ") || "none"}`;
  return undefined;
}
