import { describe, expect, it } from "vitest";
import { addedMarkup } from "./added-markup";

describe("addedMarkup", () => {
  it("lists every tag the new text has that the old one did not", () => {
    expect(addedMarkup("Read the terms", 'Read the <a href="https://evil.example">terms</a>')).toEqual(['<a href="https://evil.example">', "</a>"]);
    expect(addedMarkup("Hello", "Hello<img src=x onerror=alert(1)>")).toEqual(["<img src=x onerror=alert(1)>"]);
  });

  it("ignores tags that were already there, plain text with angle brackets, and ICU placeholders", () => {
    expect(addedMarkup("Save <b>now</b>", "Save <b>today</b>")).toEqual([]);
    expect(addedMarkup("1 < 2", "3 < 4 and 5 > 1")).toEqual([]);
    expect(addedMarkup("{count} items", "{count, plural, one {# item} other {# items}}")).toEqual([]);
  });

  it("counts a tag added a second time", () => {
    expect(addedMarkup("<b>a</b>", "<b>a</b> <b>b</b>")).toEqual(["<b>", "</b>"]);
  });
});
