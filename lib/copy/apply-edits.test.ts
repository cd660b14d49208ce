import { describe, expect, it } from "vitest";
import { applyCopyEdits, CopyEditError, type CopyEdit, syntaxErrorCount } from "./apply-edits";
import { extractStrings, type CopyFile, type CopyString } from "./extract-strings";
import { loadFixtures } from "./load-fixtures.test-helper";

const files = loadFixtures();
const strings = extractStrings(files);

function find(path: string, predicate: (copy: CopyString) => boolean): CopyString {
  const found = strings.find((copy) => copy.path === path && predicate(copy));
  if (!found) throw new Error(`no string in ${path}`);
  return found;
}

function contentOf(result: { files: CopyFile[] }, path: string): string {
  const file = result.files.find((candidate) => candidate.path === path);
  if (!file) throw new Error(`missing ${path}`);
  return file.content;
}

/** Applies one edit and checks every byte outside the literal is untouched and the text reads back. */
function editOne(copy: CopyString, text: string): string {
  const result = applyCopyEdits(files, [{ id: copy.id, text }]);
  const before = files.find((file) => file.path === copy.path)?.content ?? "";
  const after = contentOf(result, copy.path);
  const tailLength = before.length - copy.end;
  expect(after.slice(0, copy.start)).toBe(before.slice(0, copy.start));
  expect(after.slice(after.length - tailLength)).toBe(before.slice(copy.end));
  const reread = extractStrings([{ path: copy.path, content: after }]).find((candidate) => candidate.id === copy.id);
  expect(reread?.text).toBe(text);
  for (const other of result.files) {
    if (other.path !== copy.path) expect(other).toBe(files.find((file) => file.path === other.path));
  }
  return after.slice(copy.start, after.length - tailLength);
}

function problemsOf(edits: CopyEdit[], input: CopyFile[] = files): CopyEditError["problems"] {
  const snapshot = input.map((file) => ({ ...file }));
  try {
    applyCopyEdits(input, edits);
  } catch (error) {
    expect(error).toBeInstanceOf(CopyEditError);
    expect(input).toEqual(snapshot);
    // Where each text is, is checked once below; the other tests compare the problems themselves.
    return (error as CopyEditError).problems.map(({ where: _where, ...problem }) => problem);
  }
  throw new Error("expected CopyEditError");
}

const page = "app/pricing/page.tsx";

describe("applyCopyEdits: encoding", () => {
  it("escapes JSX text and keeps entities readable", () => {
    const heading = find(page, (copy) => copy.text.startsWith("Simple"));
    expect(editOne(heading, "Pay <less> & get {more}\u00a0today")).toBe("Pay &lt;less&gt; &amp; get &#123;more&#125;&nbsp;today");
  });

  it("keeps the quote style of JSX attribute strings and escapes that quote as an entity", () => {
    const placeholder = find(page, (copy) => copy.key === "placeholder");
    expect(editOne(placeholder, `Your "work" email, it's fine`)).toBe(`'Your "work" email, it&apos;s fine'`);
    const alt = find(page, (copy) => copy.key === "alt");
    expect(editOne(alt, 'A "happy" team \\o/')).toBe(`"A &quot;happy&quot; team \\o/"`);
  });

  it("escapes JS string literals inside expressions, keeping their quotes", () => {
    const aria = find(page, (copy) => copy.key === "aria-label");
    expect(editOne(aria, 'Say "hi" \\ bye')).toBe(`"Say \\"hi\\" \\\\ bye"`);
    const ternary = find(page, (copy) => copy.text === "Billed yearly");
    expect(editOne(ternary, "Paid once a year")).toBe(`"Paid once a year"`);
    const template = find(page, (copy) => copy.text === "No interpolation");
    expect(editOne(template, "Costs ${price} `now`")).toBe("`Costs \\${price} \\`now\\``");
  });

  it("uses JSON string escaping in i18n JSON", () => {
    const title = find("locales/en/common.json", (copy) => copy.key === "pricing.title");
    expect(editOne(title, 'Plans\n"and" \\ prices')).toBe('"Plans\\n\\"and\\" \\\\ prices"');
  });

  it("keeps YAML scalar styles and falls back to double quotes when needed", () => {
    const yml = "locales/en/app.yml";
    expect(
      editOne(
        find(yml, (copy) => copy.key === "en.nav.home"),
        "Start page",
      ),
    ).toBe("Start page");
    expect(
      editOne(
        find(yml, (copy) => copy.key === "en.nav.home"),
        "Home: sweet # home",
      ),
    ).toBe('"Home: sweet # home"');
    expect(
      editOne(
        find(yml, (copy) => copy.key === "en.nav.home"),
        "true",
      ),
    ).toBe('"true"');
    expect(
      editOne(
        find(yml, (copy) => copy.key === "en.nav.about"),
        "Who we're",
      ),
    ).toBe("'Who we''re'");
    expect(
      editOne(
        find(yml, (copy) => copy.key === "en.nav.contact"),
        'Write "us"',
      ),
    ).toBe('"Write \\"us\\""');
    expect(
      editOne(
        find(yml, (copy) => copy.key === "en.intro"),
        "Hi\nthere",
      ),
    ).toBe('"Hi\\nthere"');
    expect(
      editOne(
        find(yml, (copy) => copy.key === "en.tags.0"),
        "a, b",
      ),
    ).toBe('"a, b"');
  });

  it("escapes Markdown syntax so the edit stays plain text", () => {
    const mdx = "content/guide.mdx";
    const heading = find(mdx, (copy) => copy.text === "Getting started");
    expect(editOne(heading, "# *Really* [start] {now}")).toBe("\\# \\*Really\\* \\[start\\] \\{now}");
    const item = find(mdx, (copy) => copy.text === "Ship it");
    expect(editOne(item, "- 1. Ship _it_ <b>")).toBe("\\- 1. Ship \\_it\\_ \\<b>");
    const md = { path: "docs/intro.md", content: "Intro line\n\n1) keep\n" };
    const [intro] = extractStrings([md]);
    if (!intro) throw new Error("no intro");
    const result = applyCopyEdits([md], [{ id: intro.id, text: "2. Numbers & more" }]);
    expect(result.files[0]?.content).toBe("2\\. Numbers & more\n\n1) keep\n");
    expect(extractStrings(result.files).map((copy) => copy.text)).toEqual(["2. Numbers & more", "keep"]);
  });

  it("handles right-to-left and emoji text", () => {
    expect(
      editOne(
        find(page, (copy) => copy.text === "today."),
        "اليوم 🎉",
      ),
    ).toBe("اليوم 🎉");
    const greeting = find("locales/en/common.json", (copy) => copy.key === "pricing.greeting");
    expect(editOne(greeting, "שלום {name}, יש לך %s הודעות 👋🏽")).toBe('"שלום {name}, יש לך %s הודעות 👋🏽"');
  });

  it("applies several edits in one file right to left", () => {
    const one = find("locales/en/common.json", (copy) => copy.key === "pricing.items.one");
    const other = find("locales/en/common.json", (copy) => copy.key === "pricing.items.other");
    const result = applyCopyEdits(files, [
      { id: one.id, text: "{{count}} seat" },
      { id: other.id, text: "{{count}} seats in total" },
    ]);
    expect(JSON.parse(contentOf(result, "locales/en/common.json")).pricing.items).toEqual({
      one: "{{count}} seat",
      other: "{{count}} seats in total",
    });
  });
});

describe("applyCopyEdits: refusals change nothing", () => {
  const greeting = find("locales/en/common.json", (copy) => copy.key === "pricing.greeting");
  const plural = find("locales/en/common.json", (copy) => copy.key === "pricing.items.one");
  const today = find(page, (copy) => copy.text === "today.");

  it("rejects an id that no longer exists", () => {
    expect(problemsOf([{ id: "0000000000000000", text: "x" }])).toEqual([{ id: "0000000000000000", message: "This text no longer exists at the head commit" }]);
  });

  it("rejects a string whose file changed under it", () => {
    const moved = files.map((file) => (file.path === page ? { ...file, content: file.content.replace("today.", "") } : file));
    expect(problemsOf([{ id: today.id, text: "now" }], moved)).toEqual([{ id: today.id, message: "This text no longer exists at the head commit" }]);
  });

  it("rejects an edit to text that someone else changed since it was opened", () => {
    const changed = files.map((file) => (file.path === page ? { ...file, content: file.content.replace("today.", "tonight.") } : file));
    expect(problemsOf([{ id: today.id, from: "today.", text: "now" }], changed)).toEqual([
      { id: today.id, message: 'This text was changed to "tonight." since you opened it' },
    ]);
    expect(applyCopyEdits(files, [{ id: today.id, from: "today.", text: "now" }]).applied.map(({ copy }) => copy.text)).toEqual(["today."]);
  });

  it("rejects two edits to the same text", () => {
    expect(
      problemsOf([
        { id: today.id, text: "a" },
        { id: today.id, text: "b" },
      ]),
    ).toEqual([{ id: today.id, message: "This text was edited twice" }]);
  });

  it("says where each refused text is, so two refusals of the same text are told apart", () => {
    try {
      applyCopyEdits(files, [
        { id: today.id, text: "  " },
        { id: "gone", text: "x" },
      ]);
      throw new Error("expected CopyEditError");
    } catch (error) {
      expect((error as CopyEditError).problems.map((problem) => problem.where)).toEqual([`${today.path}:${today.line}`, undefined]);
    }
  });

  it("rejects an empty replacement", () => {
    expect(problemsOf([{ id: today.id, text: "  " }])).toEqual([{ id: today.id, message: "Text is required here" }]);
  });

  it("requires the same placeholders", () => {
    expect(problemsOf([{ id: greeting.id, text: "Hello, you have %s messages" }])).toEqual([{ id: greeting.id, message: "Keep the placeholders %s, {name}" }]);
    expect(problemsOf([{ id: plural.id, text: "{{ count }} thing {extra}" }])).toEqual([
      { id: plural.id, message: "Remove {extra}: only these placeholders have a value here: {{count}}" },
    ]);
  });

  it("is all-or-nothing across edits and files", () => {
    const problems = problemsOf([
      { id: today.id, text: "Fine edit" },
      { id: greeting.id, text: "No placeholders" },
    ]);
    expect(problems.map((problem) => problem.id)).toEqual([greeting.id]);
  });

  it("accepts reformatted placeholders", () => {
    const result = applyCopyEdits(files, [{ id: plural.id, text: "{{ count }} thing" }]);
    expect(contentOf(result, "locales/en/common.json")).toContain('"{{ count }} thing"');
  });
});

describe("syntaxErrorCount", () => {
  it("counts a script's syntax errors from the tree extraction parsed, wherever the file is", () => {
    const ok = 'export function Hero() {\n  return <h1 title="Hi">Hello</h1>;\n}\n';
    expect(syntaxErrorCount({ path: "src/components/deep/Hero.tsx", content: ok })).toBe(0);
    expect(syntaxErrorCount({ path: "Hero.jsx", content: ok })).toBe(0);
    expect(syntaxErrorCount({ path: "src/components/deep/Hero.tsx", content: ok.replace("</h1>", "</h2>") })).toBeGreaterThan(0);
    expect(syntaxErrorCount({ path: "src/Hero.tsx", content: ok.replace('"Hi"', '"Hi') })).toBeGreaterThan(0);
    expect(syntaxErrorCount({ path: "locales/en.json", content: '{"a": "b",}' })).toBe(1);
  });
});

describe("quotes in JSX text", () => {
  it("writes ' and \" as the text already does, and as entities where it has neither (react/no-unescaped-entities)", () => {
    const file = {
      path: "app/page.tsx",
      content: "export default () => (\n  <main>\n    <p>Don&apos;t wait</p>\n    <p>It's here</p>\n    <p>Hello</p>\n  </main>\n);\n",
    };
    const [entity, typed, plain] = extractStrings([file]);
    const result = applyCopyEdits(
      [file],
      [
        { id: entity?.id ?? "", text: "Don't stop" },
        { id: typed?.id ?? "", text: "It's gone" },
        { id: plain?.id ?? "", text: `Say "hi", it's fine` },
      ],
    );
    expect(result.files[0]?.content).toBe(
      "export default () => (\n  <main>\n    <p>Don&apos;t stop</p>\n    <p>It's gone</p>\n    <p>Say &quot;hi&quot;, it&apos;s fine</p>\n  </main>\n);\n",
    );
  });
});
