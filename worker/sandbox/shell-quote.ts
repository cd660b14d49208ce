/** `text` as one bash word, whatever it holds (for commands written as text, e.g. for a shell session). */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
