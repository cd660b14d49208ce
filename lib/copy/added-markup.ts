// HTML tags a text change adds. Locale messages are often rendered as HTML or rich text (ICU tags,
// dangerouslySetInnerHTML, v-html), so a copywriter's new `<a href>` or `<img onerror>` could become live
// markup: the reviewing engineer is shown every tag the change adds before shipping it.
const TAG = /<\/?[A-Za-z][^<>]*>/g;

export function addedMarkup(before: string, after: string): string[] {
  const had = new Map<string, number>();
  for (const tag of before.match(TAG) ?? []) had.set(tag, (had.get(tag) ?? 0) + 1);
  const added: string[] = [];
  for (const tag of after.match(TAG) ?? []) {
    const left = had.get(tag) ?? 0;
    if (left > 0) had.set(tag, left - 1);
    else added.push(tag);
  }
  return added;
}
