import { describe, expect, it } from "vitest";
import { buildCatalog } from "./catalog";
import type { CopyFile } from "./extract-strings";
import { readImportAliases } from "./import-aliases";

const file = (path: string, content: string): CopyFile => ({ path, content });
const pagesOf = (catalog: ReturnType<typeof buildCatalog>, text: string) => catalog.find((entry) => entry.text === text)?.pages;

describe("import aliases from tsconfig/jsconfig", () => {
  it("maps paths patterns and baseUrl, from the nearest config, following a relative extends", () => {
    const aliases = readImportAliases([
      { path: "tsconfig.base.json", content: '{ "compilerOptions": { "baseUrl": ".", "paths": { "@ui/*": ["packages/ui/src/*"] } } }' },
      // Comments and trailing commas, as tsconfig allows.
      {
        path: "apps/web/tsconfig.json",
        content: '{ "extends": "../../tsconfig.base.json", /* web */ "compilerOptions": { "baseUrl": ".", "paths": { "~/*": ["./app/*"], }, } }',
      },
      { path: "jsconfig.json", content: '{ "compilerOptions": { "baseUrl": "src" } }' },
    ]);
    expect(aliases.candidates("apps/web/app/page.tsx", "~/components/Header")[0]).toBe("apps/web/app/components/Header");
    // As in TypeScript, a config's own paths replace the ones it extends.
    expect(aliases.candidates("apps/web/app/page.tsx", "@ui/Button")).toEqual(["apps/web/@ui/Button"]);
    expect(aliases.candidates("tools/x.ts", "@ui/Button")).toContain("packages/ui/src/Button");
    expect(aliases.candidates("src/pages/index.js", "components/Header")).toContain("src/components/Header");
    // A package name becomes a path that no file has: the import stays unresolved.
    expect(aliases.candidates("src/pages/index.js", "react")).toContain("src/react");
  });
});

describe("pages through aliased imports and Remix routes", () => {
  const catalog = buildCatalog([
    file("tsconfig.json", '{ "compilerOptions": { "baseUrl": ".", "paths": { "@ui/*": ["src/ui/*"] } } }'),
    file("src/ui/PriceCard.tsx", "export function PriceCard() { return <p>Billed yearly</p>; }"),
    file("src/components/Banner.tsx", "export function Banner() { return <p>Spring sale</p>; }"),
    file(
      "app/routes/pricing._index.tsx",
      'import { PriceCard } from "@ui/PriceCard";\nimport { Banner } from "src/components/Banner";\nexport default function Pricing() { return <main><PriceCard /><Banner /></main>; }',
    ),
    file("app/routes/_index.tsx", "export default function Home() { return <h1>Welcome</h1>; }"),
    file("app/root.tsx", "export default function App() { return <footer>Made in Lisbon</footer>; }"),
  ]);

  it("places a component on the page that imports it through a tsconfig alias or baseUrl", () => {
    expect(pagesOf(catalog, "Billed yearly")).toEqual(["/pricing"]);
    expect(pagesOf(catalog, "Spring sale")).toEqual(["/pricing"]);
  });

  it("reads Remix routes, and the root layout as every page", () => {
    expect(pagesOf(catalog, "Welcome")).toEqual(["/"]);
    expect(pagesOf(catalog, "Made in Lisbon")).toEqual(["*"]);
  });

  it("lists nothing from the config files themselves", () => {
    expect(catalog.some((entry) => entry.path.endsWith("tsconfig.json"))).toBe(false);
  });
});

describe("i18n keys passed indirectly", () => {
  it("gives a key the pages of files that hold it as a literal, t(labels.save) style", () => {
    const catalog = buildCatalog([
      file("locales/en.json", JSON.stringify({ settings: { save: "Save changes" }, unused: { note: "Never shown" } })),
      file(
        "src/pages/settings.tsx",
        'const labels = { save: "settings.save" };\nexport default function Settings({ t }) { return <button>{t(labels.save)}</button>; }',
      ),
      file("src/pages/about.tsx", 'const version = "1.2.3";\nexport default function About() { return <p>{version}</p>; }'),
    ]);
    expect(pagesOf(catalog, "Save changes")).toEqual(["/settings"]);
    expect(pagesOf(catalog, "Never shown")).toEqual([]);
  });
});

describe("pages from route tables", () => {
  const catalog = buildCatalog([
    file(
      "src/router.tsx",
      [
        'import { createBrowserRouter } from "react-router-dom";',
        'import Home from "./pages/Home";',
        'import { Pricing } from "@/pages/Pricing";',
        "export const router = createBrowserRouter([",
        '  { path: "/", children: [{ index: true, element: <Home /> }, { path: "pricing", element: <Pricing /> }] },',
        "]);",
      ].join("\n"),
    ),
    file("src/pages/Home.tsx", "export default function Home() { return <h1>Ship faster</h1>; }"),
    file(
      "src/pages/Pricing.tsx",
      'import { PlanCard } from "../components/PlanCard";\nexport function Pricing({ t }) { return <main><h1>{t("pricing.title")}</h1><PlanCard /></main>; }',
    ),
    file("src/components/PlanCard.tsx", "export function PlanCard() { return <p>Billed yearly</p>; }"),
    file("locales/en.json", JSON.stringify({ pricing: { title: "Simple pricing" } })),
  ]);

  it("gives the routed component its route, instead of the one its file name suggests", () => {
    expect(pagesOf(catalog, "Ship faster")).toEqual(["/"]);
  });

  it("passes the route to the components and i18n keys of the routed component (through @/ and relative imports)", () => {
    expect(pagesOf(catalog, "Billed yearly")).toEqual(["/pricing"]);
    expect(pagesOf(catalog, "Simple pricing")).toEqual(["/pricing"]);
  });
});

describe("next-intl apps", () => {
  it("places messages by their namespace under a [locale] segment, in a monorepo app", () => {
    const entries = buildCatalog([
      {
        path: "apps/web/messages/en.json",
        content: JSON.stringify({ SignIn: { title: "Welcome back" }, Pricing: { title: "Plans", cta: "Start <b>now</b>" } }),
      },
      {
        path: "apps/web/src/app/[locale]/sign-in/page.tsx",
        content:
          'import { getTranslations } from "next-intl/server";\nexport default async function Page() { const t = await getTranslations({ namespace: "SignIn" }); return <h1>{t("title")}</h1>; }\n',
      },
      {
        path: "apps/web/src/app/[locale]/pricing/page.tsx",
        content:
          'import { useTranslations } from "next-intl";\nexport default function Page() { const t = useTranslations("Pricing"); return <main><h1>{t("title")}</h1>{t.rich("cta", { b: (c) => <b>{c}</b> })}</main>; }\n',
      },
    ]);
    const pages = Object.fromEntries(entries.map((entry) => [entry.key, entry.pages]));
    expect(pages).toEqual({ "SignIn.title": ["/sign-in"], "Pricing.title": ["/pricing"], "Pricing.cta": ["/pricing"] });
  });
});
