import { describe, expect, it } from "vitest";
import { applyCopyEdits, CopyEditError } from "./apply-edits";
import { extractLocatedStrings, extractStrings, type CopyFile } from "./extract-strings";

// FormatJS (react-intl): descriptors in defineMessages/defineMessage, the <FormattedMessage> component and
// intl.formatMessage, each with a translator's note that pages never show.
const FORMATJS: CopyFile = {
  path: "src/settings/SettingsForm.tsx",
  content: `import { defineMessage, defineMessages, FormattedMessage, useIntl } from "react-intl";

const messages = defineMessages({
  save: { id: "settings.save", defaultMessage: "Save changes", description: "Submit button of the settings form" },
  files: { id: "settings.files", defaultMessage: "{count, plural, one {# file} other {# files}}" },
  legacy: { id: "settings.legacy", description: "Kept for old clients" },
});

const title = defineMessage({ id: "settings.title", defaultMessage: "settings", description: "Page heading" });

const plans = [{ id: "pro", name: "Pro", description: "For growing teams" }];

export function SettingsForm({ name }: { name: string }) {
  const intl = useIntl();
  return (
    <form aria-label={intl.formatMessage({ id: "settings.form", defaultMessage: "Account settings", description: "Form label" })}>
      <FormattedMessage id="settings.greeting" defaultMessage="Hello {name}, <b>welcome</b>" description="Greeting above the form" values={{ name }} />
    </form>
  );
}
`,
};

// i18next (react-i18next): defaults written next to the key, and <Trans> with its children as the text.
const I18NEXT: CopyFile = {
  path: "src/cart/Cart.tsx",
  content: `import i18n from "i18next";
import { Trans, useTranslation } from "react-i18next";

export function Cart({ count }: { count: number }) {
  const { t } = useTranslation();
  const empty = i18n.t("cart.empty", "Your cart is empty");
  return (
    <section>
      <h2>{t("cart.title", "Shopping cart")}</h2>
      <p>{t("cart.items", { defaultValue_one: "{{count}} item", defaultValue_other: "{{count}} items", count })}</p>
      <p>{t("cart.total", { defaultValue: "Total" })}</p>
      <p>{t("cart.lang", "fr")}</p>
      <p>{t("cart.plain")}</p>
      <Trans i18nKey="cart.terms">
        By paying you accept our <a href="/terms">terms</a>.
      </Trans>
      {empty}
    </section>
  );
}
`,
};

const PAGE_TITLE: CopyFile = {
  path: "src/pages/Billing.tsx",
  content: `import { useEffect } from "react";

export function Billing({ plan }: { plan: string }) {
  useEffect(() => {
    document.title = "Billing";
  }, []);
  useEffect(() => {
    window.document.title = plan ? "Billing details" : \`Billing for \${plan}\`;
  }, [plan]);
  return (
    <div role="slider" aria-roledescription="carousel" aria-valuetext="Slide 2 of 5">
      <input role="combobox" aria-placeholder="Search invoices" data-tip="not copy" />
    </div>
  );
}
`,
};

const listed = (file: CopyFile) => extractLocatedStrings([file]).map((copy) => [copy.kind, copy.key, copy.text]);

describe("FormatJS (react-intl) messages", () => {
  it("lists each defaultMessage under its id, whatever it looks like, and never a descriptor's description", () => {
    expect(listed(FORMATJS)).toEqual([
      ["script-string", "settings.save", "Save changes"],
      ["script-string", "settings.files", "{count, plural, one {# file} other {# files}}"],
      ["script-string", "settings.title", "settings"],
      ["script-string", "description", "For growing teams"],
      ["script-string", "settings.form", "Account settings"],
      ["jsx-attribute", "settings.greeting", "Hello {name}, <b>welcome</b>"],
    ]);
  });

  it("marks default messages as ICU so edits keep their placeholders and tags", () => {
    const syntaxes = extractLocatedStrings([FORMATJS]).map((copy) => copy.syntax);
    expect(syntaxes).toEqual([
      { type: "js-string", quote: '"', icu: true },
      { type: "js-string", quote: '"', icu: true },
      { type: "js-string", quote: '"', icu: true },
      { type: "js-string", quote: '"' },
      { type: "js-string", quote: '"', icu: true },
      { type: "jsx-attribute-string", quote: '"', icu: true },
    ]);
  });

  it("refuses edits that break the ICU message, and writes ones that keep it", () => {
    const strings = extractStrings([FORMATJS]);
    const idOf = (text: string) => strings.find((copy) => copy.text === text)?.id ?? "";
    const problems = (id: string, text: string) => {
      try {
        applyCopyEdits([FORMATJS], [{ id, text }]);
        return [];
      } catch (error) {
        if (!(error instanceof CopyEditError)) throw error;
        return error.problems.map((problem) => problem.message);
      }
    };
    expect(problems(idOf("Save changes"), "Save {changes")).toEqual([expect.stringMatching(/single quotes/)]);
    expect(problems(idOf("Hello {name}, <b>welcome</b>"), "Hello, welcome")).toEqual([expect.stringMatching(/^Keep the tags <b>/)]);
    expect(problems(idOf("{count, plural, one {# file} other {# files}}"), "{count, plural, one {# document} other {# documents}}")).toEqual([]);

    const result = applyCopyEdits([FORMATJS], [{ id: idOf("Hello {name}, <b>welcome</b>"), text: `Hi {name}, <b>good to see you</b> & "more"` }]);
    const content = result.files[0]?.content ?? "";
    expect(content).toContain(`defaultMessage="Hi {name}, <b>good to see you</b> &amp; &quot;more&quot;"`);
    expect(extractStrings(result.files).find((copy) => copy.id === idOf("Hello {name}, <b>welcome</b>"))?.text).toBe(
      `Hi {name}, <b>good to see you</b> & "more"`,
    );
  });
});

describe("i18next defaults", () => {
  it("lists t() and i18n.t() default texts under their keys, per plural form, and not a vue-i18n locale argument", () => {
    expect(listed(I18NEXT)).toEqual([
      ["script-string", "cart.empty", "Your cart is empty"],
      ["script-string", "cart.title", "Shopping cart"],
      ["script-string", "cart.items_one", "{{count}} item"],
      ["script-string", "cart.items_other", "{{count}} items"],
      ["script-string", "cart.total", "Total"],
      // <Trans i18nKey> children: the default of that key, as a locale file would override it.
      ["jsx-text", "cart.terms", "By paying you accept our"],
      ["jsx-text", "cart.terms", "terms"],
    ]);
  });

  it("edits a default in place and keeps its id", () => {
    const [first] = extractStrings([I18NEXT]);
    if (!first) throw new Error("no string");
    const result = applyCopyEdits([I18NEXT], [{ id: first.id, text: 'Nothing in your "cart" yet' }]);
    expect(result.files[0]?.content).toContain(`i18n.t("cart.empty", "Nothing in your \\"cart\\" yet")`);
    expect(extractStrings(result.files)[0]).toMatchObject({ id: first.id, text: 'Nothing in your "cart" yet' });
  });
});

describe("the document's title and spoken aria attributes", () => {
  it("lists document.title assignments and aria-roledescription, aria-valuetext and aria-placeholder", () => {
    expect(listed(PAGE_TITLE)).toEqual([
      ["script-string", "document.title", "Billing"],
      ["script-string", "document.title", "Billing details"],
      ["jsx-attribute", "aria-roledescription", "carousel"],
      ["jsx-attribute", "aria-valuetext", "Slide 2 of 5"],
      ["jsx-attribute", "aria-placeholder", "Search invoices"],
    ]);
  });

  it("keeps the two title assignments apart and stable when their text changes", () => {
    const ids = (content: string) => extractStrings([{ path: PAGE_TITLE.path, content }]).map((copy) => copy.id);
    const before = ids(PAGE_TITLE.content);
    expect(new Set(before).size).toBe(before.length);
    expect(ids(PAGE_TITLE.content.replace('"Billing"', '"Invoices"'))).toEqual(before);
  });

  it("lists the aria attributes in html`…` templates too", () => {
    const lit = { path: "src/slider.js", content: 'const view = () => html`<div aria-roledescription="slide" aria-valuetext="Step ${"3"}"></div>`;\n' };
    expect(listed(lit)).toEqual([["jsx-attribute", "aria-roledescription", "slide"]]);
  });
});
