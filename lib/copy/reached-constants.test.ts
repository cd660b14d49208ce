import { describe, expect, it } from "vitest";
import { applyCopyEdits } from "./apply-edits";
import { buildCatalog } from "./catalog";
import { extractStrings, type CopyFile } from "./extract-strings";

// A landing page that keeps its words in constants: a heading, a feature list, a copy object, a list of
// plans rendered through .map, next to constants that are not text for people.
const LANDING: CopyFile = {
  path: "app/page.tsx",
  content: `import { logger } from "@/lib/logger";
import { TAGLINE } from "./copy";

const heading = "Welcome back";
const FEATURES = ["Fast builds", "Private by default"] as const;
const copy = { hero: "Ship faster", heroImage: "/images/hero.png", unused: "Never rendered here" };
const PLANS = [
  { slug: "starter", name: "Starter", perks: ["One project", "Email support"] },
  { slug: "team", name: "Team plan", perks: ["Unlimited projects"] },
];
const STATUS = { active: "Active", paused: "On hold" };
const LOG_MESSAGE = "Landing page rendered";
const cardClasses = "rounded-lg border p-4";
const DOCS_URL = "https://example.com/docs";
const SEED_USERS = ["Ada Lovelace", "Grace Hopper"];
let changing = "Changes at runtime";

export default function Landing({ status, pick }: { status: keyof typeof STATUS; pick: number }) {
  const subtitle = "Pick up where you left off";
  const intro = copy.hero;
  logger.info(LOG_MESSAGE, SEED_USERS);
  return (
    <main className={cardClasses}>
      <h1 title={subtitle}>{heading}</h1>
      <p>{intro}</p>
      <p>{FEATURES[0]}</p>
      <ul>{FEATURES.map((feature) => <li key={feature}>{feature}</li>)}</ul>
      {PLANS.map(({ slug, name, perks }) => (
        <section key={slug} id={slug}>
          <h2>{name}</h2>
          <p>{perks.join(" · ")}</p>
        </section>
      ))}
      <span>{STATUS[status]}</span>
      <a href={DOCS_URL}>{DOCS_URL}</a>
      <p>{changing}</p>
      <p>{TAGLINE}</p>
      <p>{FEATURES.length} features</p>
      <p>{SEED_USERS.at(pick)?.length}</p>
    </main>
  );
}

function Footer({ heading }: { heading: string }) {
  return <footer>{heading}</footer>;
}
`,
};

const summary = (file: CopyFile) => extractStrings([file]).map((copy) => [copy.kind, copy.key, copy.text, copy.context.component]);

describe("string constants that JSX renders", () => {
  it("lists the consts a component renders, through member and element access, .map, destructuring and aliases", () => {
    expect(summary(LANDING)).toEqual([
      ["script-string", "heading", "Welcome back", undefined],
      ["script-string", "FEATURES.0", "Fast builds", undefined],
      ["script-string", "FEATURES.1", "Private by default", undefined],
      ["script-string", "copy.hero", "Ship faster", undefined],
      ["script-string", "PLANS.0.name", "Starter", undefined],
      ["script-string", "PLANS.0.perks.0", "One project", undefined],
      ["script-string", "PLANS.0.perks.1", "Email support", undefined],
      ["script-string", "PLANS.1.name", "Team plan", undefined],
      ["script-string", "PLANS.1.perks.0", "Unlimited projects", undefined],
      ["script-string", "STATUS.active", "Active", undefined],
      ["script-string", "STATUS.paused", "On hold", undefined],
      ["script-string", "subtitle", "Pick up where you left off", "Landing"],
      ["jsx-text", undefined, "features", "Landing"],
    ]);
  });

  it("leaves out strings only code reads, class names, URLs, lets, imports and names a parameter shadows", () => {
    const texts = extractStrings([LANDING]).map((copy) => copy.text);
    for (const text of [
      "Never rendered here",
      "/images/hero.png",
      "Landing page rendered",
      "rounded-lg border p-4",
      "https://example.com/docs",
      "Ada Lovelace",
    ]) {
      expect(texts).not.toContain(text);
    }
    expect(texts).not.toContain("Changes at runtime");
    // Footer's {heading} is its parameter, not the module's const: "Welcome back" is listed once, for Landing's <h1>.
    expect(texts.filter((text) => text === "Welcome back")).toHaveLength(1);
  });

  it("lists a constant once however often it is rendered, and not again when another rule already lists it", () => {
    const nav: CopyFile = {
      path: "components/nav.tsx",
      content: `const items = [{ href: "/", label: "Home" }];
const brand = "Acme Cloud";
export const Nav = () => (
  <nav aria-label={brand}>
    {brand} {brand}
    {items.map((item) => <a href={item.href}>{item.label}</a>)}
  </nav>
);
`,
    };
    expect(summary(nav)).toEqual([
      ["script-string", "label", "Home", "items"],
      ["script-string", "brand", "Acme Cloud", undefined],
    ]);
  });

  it("lists literals written inline in what JSX renders: a list mapped in place, a fallback inside a template", () => {
    const inline: CopyFile = {
      path: "components/steps.tsx",
      content: `export function Steps({ owner }: { owner?: string }) {
  return (
    <ol>
      {["Create a project", "Invite your team"].map((step) => <li key={step}>{step}</li>)}
      <li>{\`Owned by \${owner ?? "Nobody yet"}\`}</li>
    </ol>
  );
}
`,
    };
    expect(summary(inline)).toEqual([
      ["script-string", undefined, "Create a project", "Steps"],
      ["script-string", undefined, "Invite your team", "Steps"],
      ["script-string", undefined, "Nobody yet", "Steps"],
    ]);
  });

  it("keeps ids when the text changes, and edits the constant where it is declared", () => {
    const ids = (file: CopyFile) => extractStrings([file]).map((copy) => copy.id);
    const changed = { ...LANDING, content: LANDING.content.replace('"Fast builds"', '"Quick builds"').replace('"Ship faster"', "'Ship sooner'") };
    expect(ids(changed)).toEqual(ids(LANDING));

    const feature = extractStrings([LANDING]).find((copy) => copy.key === "FEATURES.1");
    if (!feature) throw new Error("no feature");
    const result = applyCopyEdits([LANDING], [{ id: feature.id, text: 'Private by default, "always"' }]);
    expect(result.files[0]?.content).toContain('const FEATURES = ["Fast builds", "Private by default, \\"always\\""] as const;');
  });
});

describe("exported constants that another module renders (one import away)", () => {
  const files: CopyFile[] = [
    {
      path: "src/config/site.ts",
      content: `export const siteConfig = {
  name: "Acme Cloud",
  url: "https://acme.example",
  motto: "Never rendered anywhere",
  links: { docs: "Read the docs" },
};
export const LOGOS = [
  { src: "/remix.svg", alt: "Remix logo" },
  { src: "/fly.svg", alt: "Fly.io logo" },
];
const FOOTER = { note: "Made with care" };
export { FOOTER as footer };
export const unused = "Nobody imports this";
`,
    },
    { path: "src/content/hero.ts", content: `export default { main: "Ship it today", aside: "Only read by tests" };\n` },
    { path: "src/content/strings.ts", content: `export const HEADLINE = "Everything in one place";\n` },
    {
      path: "src/ui/header.tsx",
      content: `import { siteConfig, LOGOS, footer } from "@/config/site";
import hero from "../content/hero";
import * as strings from "../content/strings";

export function Header() {
  return (
    <header>
      <span>{siteConfig.name}</span>
      {LOGOS.map((logo) => <img key={logo.src} src={logo.src} alt={logo.alt} />)}
      <h1>{hero.main}</h1>
      <p>{strings.HEADLINE}</p>
      <small>{footer.note}</small>
    </header>
  );
}
`,
    },
    { path: "src/app/page.tsx", content: `import { Header } from "@/ui/header";\nexport default function Home() { return <Header />; }\n` },
  ];
  const catalog = buildCatalog(files);
  const listed = (path: string) => catalog.filter((entry) => entry.path === path).map((entry) => [entry.key, entry.text, entry.pages]);

  it("lists the exported strings a rendered path reads, where the importer is shown, and nothing else of the module", () => {
    expect(listed("src/config/site.ts")).toEqual([
      ["siteConfig.name", "Acme Cloud", ["/"]],
      ["LOGOS.0.alt", "Remix logo", ["/"]],
      ["LOGOS.1.alt", "Fly.io logo", ["/"]],
      ["footer.note", "Made with care", ["/"]],
    ]);
    expect(listed("src/content/hero.ts")).toEqual([["default.main", "Ship it today", ["/"]]]);
    expect(listed("src/content/strings.ts")).toEqual([["HEADLINE", "Everything in one place", ["/"]]]);
    expect(catalog.some((entry) => "exported" in entry)).toBe(false);
  });

  it("edits such a string in the module that declares it", () => {
    const name = catalog.find((entry) => entry.key === "siteConfig.name");
    if (!name) throw new Error("siteConfig.name is not listed");
    const site = files[0] as CopyFile;
    const result = applyCopyEdits([site], [{ id: name.id, text: "Acme's Cloud" }]);
    expect(result.files[0]?.content).toContain(`name: "Acme's Cloud",`);
  });
});
