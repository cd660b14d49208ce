import { describe, expect, it } from "vitest";
import { applyCopyEdits } from "./apply-edits";
import { extractStrings, type CopyFile } from "./extract-strings";

const LAYOUT: CopyFile = {
  path: "app/layout.tsx",
  content: `import type { Metadata } from "next";
import { toast } from "sonner";
import { msg, t } from "@lingui/macro";

export const metadata: Metadata = {
  title: { default: "Acme", template: "%s | Acme" },
  description: "Invoices that pay themselves",
  openGraph: { siteName: "Acme", title: "Acme invoicing" },
};

const nav = [
  { href: "/pricing", label: "Pricing" },
  { href: "/docs", label: "Docs", variant: "primary" },
];

const sortOptions = [
  { value: "price-asc", label: "Price: low to high" },
  { value: "newest", label: "newest" },
];

const saved = msg\`Your changes were saved\`;

export default function RootLayout({ children }: { children: React.ReactNode }) {
  const save = () => toast.success("Invoice sent");
  const fail = () => toast({ title: "Could not send the invoice", description: "Try again in a minute." });
  return <nav>{nav.map((item) => <a href={item.href}>{item.label}</a>)}<button onClick={save}>{t\`Send\`}</button>{children}</nav>;
}
`,
};

const PAGE: CopyFile = {
  path: "app/blog/[slug]/page.tsx",
  content: `export async function generateMetadata({ params }) {
  return { title: "Blog", description: "Notes from the team" };
}
export default function Post() {
  return <article />;
}
`,
};

describe("strings in code that pages show", () => {
  const strings = extractStrings([LAYOUT, PAGE]);
  const texts = (path: string) => strings.filter((copy) => copy.path === path).map((copy) => [copy.kind, copy.key, copy.text]);

  it("finds page metadata, nav and option labels, toasts and Lingui messages, and no identifiers, paths or URLs", () => {
    expect(texts("app/layout.tsx")).toEqual([
      ["script-string", "default", "Acme"],
      ["script-string", "template", "%s | Acme"],
      ["script-string", "description", "Invoices that pay themselves"],
      ["script-string", "siteName", "Acme"],
      ["script-string", "title", "Acme invoicing"],
      ["script-string", "label", "Pricing"],
      ["script-string", "label", "Docs"],
      ["script-string", "label", "Price: low to high"],
      ["script-string", "msg", "Your changes were saved"],
      ["script-string", "toast", "Invoice sent"],
      ["script-string", "title", "Could not send the invoice"],
      ["script-string", "description", "Try again in a minute."],
      ["script-string", "t", "Send"],
    ]);
    expect(texts("app/blog/[slug]/page.tsx")).toEqual([
      ["script-string", "title", "Blog"],
      ["script-string", "description", "Notes from the team"],
    ]);
  });

  it("edits them in place, template literals included, with the same ids afterwards", () => {
    const find = (text: string) => {
      const found = strings.find((copy) => copy.text === text);
      if (!found) throw new Error(`no "${text}"`);
      return found;
    };
    const edits = [
      { id: find("Your changes were saved").id, text: "Saved `draft` for $later" },
      { id: find("Price: low to high").id, text: "Cheapest first" },
      { id: find("Invoices that pay themselves").id, text: 'Invoices that "pay" themselves' },
    ];
    const result = applyCopyEdits([LAYOUT, PAGE], edits);
    const after = extractStrings(result.files);
    for (const edit of edits) expect(after.find((copy) => copy.id === edit.id)?.text).toBe(edit.text);
    expect(result.files[0]?.content).toContain("msg`Saved \\`draft\\` for $later`");
  });

  it("checks Lingui's msg and t macros as ICU messages: a placeholder with no value is refused", () => {
    const saved = strings.find((copy) => copy.text === "Your changes were saved");
    expect(() => applyCopyEdits([LAYOUT, PAGE], [{ id: saved?.id ?? "", text: "Saved for {later}" }])).toThrow(/Remove \{later\}/);
  });
});

describe("props objects and log calls", () => {
  it("lists children in a props object, and no message a logger or the console receives", () => {
    const content = `export function Login({ logger }) {
  logger.error({ message: "Missing internal group", code: 1 });
  console.warn({ title: "Deprecated prop used" });
  ctx.logger.info({ details: { message: "Team created" } });
  return <Field labelProps={{ children: "Username" }} inputProps={{ placeholder: "Your name", children: "x-id" }} />;
}
`;
    const texts = extractStrings([{ path: "app/login.tsx", content }]).map((copy) => copy.text);
    expect(texts).toContain("Username");
    expect(texts).not.toContain("x-id");
    for (const text of ["Missing internal group", "Deprecated prop used", "Team created"]) expect(texts).not.toContain(text);
  });

  it("lists no API description: describeRoute(), meta({ openapi }), an OpenAPI response object", () => {
    const content = `const notPro = { description: "The space has no Pro plan", content: { "application/json": { schema } } };
app.post("/polls", describeRoute({ summary: "Create a poll", description: "Creates a new poll.", responses: { 402: notPro } }));
export const router = { create: procedure.meta({ openapi: { method: "POST", summary: "Create template" } }) };
export const Page = () => <Card title="Create a poll" description="Pick some dates." />;
`;
    const texts = extractStrings([{ path: "src/api.tsx", content }]).map((copy) => copy.text);
    expect(texts).toEqual(["Create a poll", "Pick some dates."]);
  });

  it("lists no class strings under a label-like key", () => {
    const content = `export const classNames = { caption: "flex justify-center pt-1 relative items-center", title: "Your calendar" };\n`;
    expect(extractStrings([{ path: "src/ui/calendar.tsx", content }]).map((copy) => copy.text)).toEqual(["Your calendar"]);
  });
});
