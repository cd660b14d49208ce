import { describe, expect, it } from "vitest";
import { applyCopyEdits, type CopyEditError } from "./apply-edits";
import { extractStrings, type CopyFile } from "./extract-strings";

const file: CopyFile = {
  path: "src/pages/pricing.js",
  content: [
    'import { html } from "htm/preact";',
    "export function PricingPage({ plans, name }) {",
    "  return html`",
    '    <section class="intro" title=${name}>',
    "      <h1>Simple pricing</h1>",
    "      <p>Hello ${name}, pick a plan!</p>",
    "      <${Card} label='Starter plan' href=\"/a\">Start\\u0021</${Card}>",
    "      <${Button} kind=${kind}>Sign up</${Button}><p>Then pay</p><//>",
    '      ${plans.map((plan) => html`<li aria-label="Plan ${plan.id}">Includes ${plan.seats} seats</li>`)}',
    '      <input placeholder="Your email" value="x@y.z" />',
    "      <style>.intro { color: red }</style>",
    "      <p>  Cancel   any\n        time.  </p>",
    "    </section>",
    "  `;",
    "}",
    "const notCopy = css`<p>Not a template we read</p>`;",
    "",
  ].join("\n"),
};

describe("html`…` templates (htm, lit)", () => {
  const strings = extractStrings([file]);

  it("finds text and copy attributes in the static parts, split at interpolations, and nothing dynamic", () => {
    expect(strings.map((copy) => [copy.kind, copy.text, copy.key ?? null, file.content.slice(copy.start, copy.end)])).toEqual([
      ["jsx-text", "Simple pricing", null, "Simple pricing"],
      ["jsx-text", "Hello", null, "Hello"],
      ["jsx-text", ", pick a plan!", null, ", pick a plan!"],
      ["jsx-attribute", "Starter plan", "label", "'Starter plan'"],
      ["jsx-text", "Sign up", null, "Sign up"],
      ["jsx-text", "Then pay", null, "Then pay"],
      ["jsx-text", "Includes", null, "Includes"],
      ["jsx-text", "seats", null, "seats"],
      ["jsx-attribute", "Your email", "placeholder", '"Your email"'],
      ["jsx-text", "Cancel any time.", null, "Cancel   any\n        time."],
    ]);
    expect(strings.every((copy) => copy.context.component === "PricingPage")).toBe(true);
  });

  it("edits text and attributes byte-exactly", () => {
    const heading = strings.find((copy) => copy.text === "Simple pricing");
    const label = strings.find((copy) => copy.key === "label");
    if (!heading || !label) throw new Error("missing strings");
    const [edited] = applyCopyEdits(
      [file],
      [
        { id: heading.id, text: "Fair pricing — for “everyone” 👍" },
        { id: label.id, text: 'The "starter" plan' },
      ],
    ).files;
    expect(edited?.content).toBe(
      file.content
        .replace("<h1>Simple pricing</h1>", "<h1>Fair pricing — for “everyone” 👍</h1>")
        .replace("label='Starter plan'", `label='The "starter" plan'`),
    );
  });

  it("refuses characters a template cannot hold as text, naming them", () => {
    const heading = strings.find((copy) => copy.text === "Simple pricing");
    const label = strings.find((copy) => copy.key === "label");
    if (!heading || !label) throw new Error("missing strings");
    const problems = (() => {
      try {
        applyCopyEdits(
          [file],
          [
            { id: heading.id, text: "Pay <less> for `more` ${now}" },
            { id: label.id, text: "Ada's plan" },
          ],
        );
      } catch (error) {
        return (error as CopyEditError).problems;
      }
      throw new Error("expected CopyEditError");
    })();
    expect(problems).toEqual([
      { id: heading.id, message: "This text cannot contain < or ` or ${ here; ask an engineer for that change", where: `${heading.path}:${heading.line}` },
      { id: label.id, message: "This text cannot contain ' here; ask an engineer for that change", where: `${label.path}:${label.line}` },
    ]);
  });
});
