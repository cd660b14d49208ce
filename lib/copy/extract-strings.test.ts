import { describe, expect, it } from "vitest";
import { extractStrings, type CopyString } from "./extract-strings";
import { loadFixtures } from "./load-fixtures.test-helper";

const files = loadFixtures();

function summary(path: string) {
  const file = files.find((candidate) => candidate.path === path);
  if (!file) throw new Error(`missing fixture ${path}`);
  return extractStrings([file]).map((copy: CopyString) => ({
    kind: copy.kind,
    text: copy.text,
    key: copy.key,
    component: copy.context.component,
    line: copy.line,
    source: file.content.slice(copy.start, copy.end),
  }));
}

describe("extractStrings", () => {
  it("finds JSX text, copy attributes and plain string expressions, and nothing else", () => {
    expect(summary("app/pricing/page.tsx")).toEqual([
      { kind: "jsx-attribute", text: "Plans & pricing", key: "title", component: "PricingPage", line: 9, source: '"Plans &amp; pricing"' },
      {
        kind: "jsx-text",
        text: "Simple, honest pricing & no\u00a0surprises",
        key: undefined,
        component: "PricingPage",
        line: 10,
        source: "Simple, honest\n        pricing &amp; no&nbsp;surprises",
      },
      { kind: "jsx-text", text: "Hello", key: undefined, component: "PricingPage", line: 15, source: "Hello" },
      { kind: "jsx-text", text: "Save 20%", key: undefined, component: "PricingPage", line: 15, source: "Save 20%" },
      { kind: "jsx-text", text: "today.", key: undefined, component: "PricingPage", line: 15, source: "today." },
      { kind: "jsx-text", text: "Billed yearly", key: undefined, component: "PricingPage", line: 17, source: '"Billed yearly"' },
      { kind: "jsx-text", text: "Billed monthly", key: undefined, component: "PricingPage", line: 17, source: '"Billed monthly"' },
      { kind: "jsx-attribute", text: "Your email", key: "placeholder", component: "PricingPage", line: 19, source: "'Your email'" },
      { kind: "jsx-attribute", text: "Email address", key: "aria-label", component: "PricingPage", line: 19, source: '"Email address"' },
      { kind: "jsx-attribute", text: "A happy team", key: "alt", component: "PricingPage", line: 20, source: '"A happy team"' },
      { kind: "jsx-text", text: "Sign up", key: undefined, component: "PricingPage", line: 21, source: '"Sign up"' },
      { kind: "jsx-attribute", text: "No interpolation", key: "title", component: "PricingPage", line: 22, source: "`No interpolation`" },
      { kind: "jsx-text", text: "Sign up", key: undefined, component: "PricingPage", line: 22, source: "Sign up" },
      { kind: "jsx-text", text: "Sign up", key: undefined, component: "Footer", line: 27, source: "Sign up" },
    ]);
  });

  it("finds every string leaf of i18n JSON with dotted keys, plurals and arrays", () => {
    expect(summary("locales/en/common.json")).toEqual([
      { kind: "i18n", text: 'Plans & "pricing"', key: "pricing.title", component: undefined, line: 3, source: '"Plans & \\"pricing\\""' },
      { kind: "i18n", text: "{{count}} item", key: "pricing.items.one", component: undefined, line: 4, source: '"{{count}} item"' },
      { kind: "i18n", text: "{{count}} items", key: "pricing.items.other", component: undefined, line: 4, source: '"{{count}} items"' },
      {
        kind: "i18n",
        text: "Hello {name}, you have %s messages",
        key: "pricing.greeting",
        component: undefined,
        line: 5,
        source: '"Hello {name}, you have %s messages"',
      },
      { kind: "i18n", text: "First", key: "list.0", component: undefined, line: 7, source: '"First"' },
      { kind: "i18n", text: "Second", key: "list.1", component: undefined, line: 7, source: '"Second"' },
    ]);
  });

  it("finds YAML string scalars in every style, but not booleans or comments", () => {
    expect(summary("locales/en/app.yml")).toEqual([
      { kind: "i18n", text: "Home", key: "en.nav.home", component: undefined, line: 4, source: "Home" },
      { kind: "i18n", text: "About us", key: "en.nav.about", component: undefined, line: 5, source: "'About us'" },
      { kind: "i18n", text: 'Contact "us"', key: "en.nav.contact", component: undefined, line: 6, source: '"Contact \\"us\\""' },
      { kind: "i18n", text: "Welcome to\nPatchbay\n", key: "en.intro", component: undefined, line: 7, source: "|\n    Welcome to\n    Patchbay" },
      { kind: "i18n", text: "alpha", key: "en.tags.0", component: undefined, line: 10, source: "alpha" },
      { kind: "i18n", text: "beta", key: "en.tags.1", component: undefined, line: 10, source: "beta" },
    ]);
  });

  it("finds MDX prose and the front matter's title, but not its configuration, ESM, expressions, code or URLs", () => {
    const prose = summary("content/guide.mdx").map(({ text, line, source }) => ({ text, line, source }));
    expect(prose).toEqual([
      { text: "Guide", line: 2, source: "Guide" },
      { text: "Getting started", line: 6, source: "Getting started" },
      { text: "Install the", line: 8, source: "Install the" },
      { text: "app", line: 8, source: "app" },
      { text: "and read", line: 8, source: "and read" },
      { text: "the docs", line: 8, source: "the docs" },
      { text: "Use", line: 10, source: "Use" },
      { text: "to run tests", line: 10, source: "to run tests" },
      { text: "Ship it", line: 11, source: "Ship it" },
      { text: "Be careful with", line: 13, source: "Be careful with" },
      { text: "items", line: 13, source: "items" },
    ]);
  });

  it("gives neighbouring strings as context", () => {
    const [first, second] = extractStrings(files.filter((file) => file.path === "locales/en/common.json"));
    expect(first?.context).toEqual({ after: "{{count}} item" });
    expect(second?.context).toEqual({ before: 'Plans & "pricing"', after: "{{count}} items" });
  });

  it("skips tests, generated and vendored files, root dev docs, agent instructions and non-locale JSON", () => {
    const jsx = "export const A = () => <p>Visible text</p>;";
    const skipped = [
      "app/page.test.tsx",
      "app/page.spec.jsx",
      "app/__tests__/page.tsx",
      "dist/app.js",
      "build/app.js",
      "node_modules/x/index.js",
      "vendor/lib.js",
      "public/app.min.js",
    ].map((path) => ({ path, content: jsx }));
    const docs = ["README.md", "CHANGELOG.md", "LICENSE.md", "AGENTS.md", "src/AGENTS.md"].map((path) => ({ path, content: "Some words\n" }));
    const json = [{ path: "package.json", content: '{"name": "x"}' }];
    expect(extractStrings([...skipped, ...docs, ...json])).toEqual([]);
    expect(extractStrings([{ path: "docs/README.md", content: "Some words\n" }]).map((copy) => copy.text)).toEqual(["Some words"]);
    expect(extractStrings([{ path: "app/messages/en.json", content: '{"a": "b"}' }]).map((copy) => copy.key)).toEqual(["a"]);
  });

  it("skips identifiers, class names, URLs, keys and template literals with interpolation", () => {
    const content = [
      'import x from "./not-copy";',
      "export function Card({ name }: { name: string }) {",
      '  return <a href="/pricing" className="card" key="k" data-x="nope" title={`Hi ${name}`}>{name}{`Dear ${name}`}{x}</a>;',
      "}",
    ].join("\n");
    expect(extractStrings([{ path: "app/card.tsx", content }])).toEqual([]);
  });

  it("keeps ids stable when text changes or unrelated code moves", () => {
    const v1 = 'export function A() {\n  return <p title="One">Two</p>;\n}\n';
    const v2 = 'import z from "z";\n\nexport function A() {\n  return <p title="Uno">Dos</p>;\n}\n';
    const ids = (content: string) => extractStrings([{ path: "a.tsx", content }]).map((copy) => copy.id);
    expect(ids(v2)).toEqual(ids(v1));
    expect(new Set(ids(v1)).size).toBe(2);
  });

  it("returns nothing for a file that does not parse", () => {
    expect(extractStrings([{ path: "locales/en.json", content: '{"a": ' }])).toEqual([]);
    expect(extractStrings([{ path: "locales/en.yml", content: "a: [b\n" }])).toEqual([]);
  });
});

describe("text props of components", () => {
  it("lists a component's text props that read as prose, never a DOM element's other attributes or identifiers", () => {
    const file = {
      path: "app/dashboard/page.tsx",
      content: [
        "export default function Page() {",
        "  return (",
        "    <Shell>",
        '      <DashboardHeader heading="Posts" text={"Create and manage posts."} variant="outline" description="primary" />',
        '      <ui.Alert message="Your trial ends soon" />',
        '      <div text="Not a prop" heading="Nor this">Body</div>',
        "    </Shell>",
        "  );",
        "}",
      ].join("\n"),
    };
    const found = extractStrings([file]).map((copy) => [copy.kind, copy.key ?? "", copy.text]);
    expect(found).toEqual([
      ["jsx-attribute", "heading", "Posts"],
      ["jsx-attribute", "text", "Create and manage posts."],
      ["jsx-attribute", "message", "Your trial ends soon"],
      ["jsx-text", "", "Body"],
    ]);
  });
});

describe("punctuation between inline elements", () => {
  it("is not listed: no words to edit; an emoji or a symbol with words is", () => {
    const content = `export const Note = () => (
  <p>
    Read the <a href="/docs">docs</a>. Then ({count}) <b>ship</b>!{" · "}<a href="/faq">FAQ</a> | <span>🎉</span> <i>© 2024</i>
  </p>
);
`;
    expect(extractStrings([{ path: "src/note.tsx", content }]).map((copy) => copy.text)).toEqual([
      "Read the",
      "docs",
      ". Then (",
      "ship",
      "FAQ",
      "🎉",
      "© 2024",
    ]);
  });
});
