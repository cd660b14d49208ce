import ts from "typescript";
import { describe, expect, it } from "vitest";
import { applyCopyEdits, CopyEditError } from "./apply-edits";
import { buildCatalog } from "./catalog";
import type { CopyFile } from "./extract-strings";
import { linguiMessages } from "./lingui-messages";

const keysOf = (content: string) =>
  linguiMessages(ts.createSourceFile("a.tsx", content, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX)).map((message) => message.key);

// A checkout page written with Lingui's macros, and the catalogs `lingui extract` wrote for it.
const CHECKOUT: CopyFile = {
  path: "src/app/checkout/page.tsx",
  content: `import { Trans, Plural } from "@lingui/react/macro";
import { msg, t } from "@lingui/core/macro";

const heading = msg\`Your order\`;

export default function Checkout({ name, count, user }: { name: string; count: number; user: { email: string } }) {
  return (
    <main>
      <h1>
        <Trans>
          Almost done, {name}!
          Review your <a href="/cart">cart</a> before you pay.
        </Trans>
      </h1>
      <p><Trans>Receipts go to {user.email}.</Trans></p>
      <p><Plural value={count} one="# item" other="# items" /></p>
      <p><Trans>Not in the catalog yet</Trans></p>
      <button title={t\`Pay now\`}>{t({ message: "Pay", context: "button" })}</button>
    </main>
  );
}
`,
};

const po = (language: string, entries: [string, string, string?][]): CopyFile => ({
  path: `src/locales/${language}/messages.po`,
  content: [
    'msgid ""',
    'msgstr ""',
    '"Content-Type: text/plain; charset=utf-8\\n"',
    '"X-Generator: @lingui/cli\\n"',
    `"Language: ${language}\\n"`,
    "",
    ...entries.flatMap(([msgid, msgstr, context]) => [
      "#: src/app/checkout/page.tsx",
      ...(context ? [`msgctxt "${context}"`] : []),
      `msgid "${msgid}"`,
      `msgstr "${msgstr}"`,
      "",
    ]),
  ].join("\n"),
});

const ENGLISH = po("en", [
  ["Almost done, {name}! Review your <0>cart</0> before you pay.", "Almost done, {name}! Review your <0>cart</0> before you pay."],
  ["Receipts go to {0}.", "Receipts go to {0}."],
  ["{count, plural, one {# item} other {# items}}", "{count, plural, one {# item} other {# items}}"],
  ["Your order", "Your order"],
  ["Pay now", ""],
  ["Pay", "Pay", "button"],
]);
const FRENCH = po("fr", [
  ["Almost done, {name}! Review your <0>cart</0> before you pay.", "Presque fini, {name} ! Vérifiez votre <0>panier</0> avant de payer."],
  ["Your order", "Votre commande"],
  ["Pay now", "Payer maintenant"],
]);

describe("Lingui messages in code", () => {
  it("are written as lingui extract writes their msgid: tags numbered, names kept, other values numbered, whitespace as JSX", () => {
    expect(keysOf(CHECKOUT.content)).toEqual([
      "Your order",
      "Almost done, {name}! Review your <0>cart</0> before you pay.",
      "Receipts go to {0}.",
      "{count, plural, one {# item} other {# items}}",
      "Not in the catalog yet",
      "Pay now",
      "button|Pay",
    ]);
  });

  it("cover templates with values, choices as calls and elements, explicit ids and entities", () => {
    const content = `import { t, plural } from "@lingui/core/macro";
import { Trans, Select } from "@lingui/react/macro";
const a = t\`Hello \${name}, you have \${plural(count, { one: "# message", other: "# messages", _0: "no messages" })}\`;
const b = <Trans id="nav.home">Home</Trans>;
const c = <Trans>Terms &amp; conditions{" "}<br/>apply</Trans>;
const d = <Select value={gender} _male="his" _female="her" other="their" />;
`;
    expect(keysOf(content)).toEqual([
      "Hello {name}, you have {count, plural, one {# message} other {# messages} =0 {no messages}}",
      "nav.home",
      "Terms & conditions <0/>apply",
      "{gender, select, male {his} female {her} other {their}}",
    ]);
  });

  it("are not looked for in files that do not use Lingui (react-i18next has its own Trans)", () => {
    expect(keysOf(`import { Trans } from "react-i18next";\nconst a = <Trans>Hello</Trans>;`)).toEqual([]);
  });
});

describe("a Lingui app's catalog", () => {
  const catalog = buildCatalog([CHECKOUT, ENGLISH, FRENCH]);
  const listed = (text: string) => catalog.filter((entry) => entry.text === text);

  it("lists a message once, as the source catalog's entry, whole, on the pages of the code that uses it", () => {
    const whole = "Almost done, {name}! Review your <0>cart</0> before you pay.";
    expect(listed(whole).map(({ path, pages, translations }) => ({ path, pages, translations }))).toEqual([
      { path: "src/locales/en/messages.po", pages: ["/checkout"], translations: ["fr"] },
    ]);
    // Its pieces in the code would change the msgid when edited, unlinking the French translation.
    expect(catalog.filter((entry) => entry.text.startsWith("Almost done,"))).toHaveLength(1);
    expect(listed("cart")).toEqual([]);
    expect(listed("before you pay.")).toEqual([]);
    for (const text of ["Receipts go to {0}.", "{count, plural, one {# item} other {# items}}", "Your order", "Pay"]) {
      expect(listed(text).map((entry) => [entry.path, entry.pages])).toContainEqual(["src/locales/en/messages.po", ["/checkout"]]);
      expect(listed(text).filter((entry) => entry.path === CHECKOUT.path)).toEqual([]);
    }
  });

  it("keeps the code's text where the source catalog does not have it (not extracted yet, or left empty)", () => {
    expect(listed("Not in the catalog yet").map((entry) => entry.path)).toEqual([CHECKOUT.path]);
    expect(listed("Pay now").map((entry) => entry.path)).toEqual([CHECKOUT.path]);
    // Editing it changes the msgid, so the French translation needs the team (the change says so).
    expect(listed("Pay now")[0]?.translations).toEqual(["fr"]);
    expect(listed("Not in the catalog yet")[0]?.translations).toBeUndefined();
  });
});

describe("a Lingui message edited in code", () => {
  it("is checked as the ICU message it compiles to: a typed {placeholder} is refused, plain words are written", () => {
    const file: CopyFile = {
      path: "src/sso.tsx",
      content: 'import { Trans } from "@lingui/react/macro";\nexport const Sso = () => <p><Trans>Works with any OIDC provider</Trans></p>;\n',
    };
    const [piece] = buildCatalog([file]);
    if (!piece) throw new Error("the Trans text is not listed");
    expect(() => applyCopyEdits([file], [{ id: piece.id, text: "Works with {any} OIDC provider" }])).toThrow(CopyEditError);
    const { files } = applyCopyEdits([file], [{ id: piece.id, text: "Works with every OIDC provider" }]);
    expect(files[0]?.content).toContain("<Trans>Works with every OIDC provider</Trans>");
  });
});
