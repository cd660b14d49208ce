import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildCatalog, EVERY_PAGE, type CatalogEntry, type FileFacts } from "./catalog";
import { createCatalogFileCache } from "./catalog-file-cache";
import type { CopyFile } from "./extract-strings";

const PREVIEW_APP = path.join(import.meta.dirname, "../../test/fixtures/preview-app");

function filesUnder(root: string): CopyFile[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : [full];
    });
  return walk(root).map((full) => ({ path: path.relative(root, full).split(path.sep).join("/"), content: readFileSync(full, "utf8") }));
}

function find(entries: CatalogEntry[], text: string): CatalogEntry {
  const entry = entries.find((candidate) => candidate.text === text);
  if (!entry) throw new Error(`no entry "${text}"`);
  return entry;
}

describe("buildCatalog", () => {
  it("places i18n strings on the pages whose files (or their imports) call t() with the key", () => {
    const entries = buildCatalog(filesUnder(PREVIEW_APP));
    expect(find(entries, "Simple, honest pricing")).toMatchObject({ path: "locales/en.json", key: "pricing.title", pages: ["/pricing"] });
    // Used in components/plan-card.js, which pages/pricing.js imports.
    expect(find(entries, "Sign up").pages).toEqual(["/pricing"]);
    // Plural forms are looked up by their parent key: t("pricing.projects", { count }).
    expect(find(entries, "{{count}} projects").pages).toEqual(["/pricing"]);
    expect(find(entries, "Project plans that stay light").pages).toEqual(["/"]);
    // t(link.labelKey) cannot be followed; such strings are shown by file and key instead.
    expect(find(entries, "Home").pages).toEqual([]);
    expect(find(entries, "About Paperkite")).toMatchObject({ path: "content/about.md", kind: "markdown" });
    // Agent instructions and the README are not product copy.
    expect(entries.some((entry) => entry.path === "README.md" || entry.path === "AGENTS.md")).toBe(false);
  });

  it("follows Next.js routing: pages get their route, layouts every page, shared components each importing page", () => {
    const files: CopyFile[] = [
      {
        path: "app/layout.tsx",
        content: 'import { Nav } from "@/ui/nav";\nexport default function Layout({ children }) { return <body><Nav />{children}</body>; }\n',
      },
      { path: "ui/nav.tsx", content: "export function Nav() { return <nav>Menu</nav>; }\n" },
      { path: "ui/cta.tsx", content: 'export const Cta = () => <button title="Start now">Start free trial</button>;\n' },
      {
        path: "app/(marketing)/pricing/page.tsx",
        content: 'import { Cta } from "../../../ui/cta";\nexport default function Page() { return <main><h1>Pricing</h1><Cta /></main>; }\n',
      },
      { path: "app/page.tsx", content: 'import { Cta } from "@/ui/cta";\nexport default function Home() { return <Cta />; }\n' },
      { path: "app/blog/[slug]/page.tsx", content: "export default function Post() { return <p>Loading post</p>; }\n" },
      { path: "ui/nav.test.tsx", content: "it('x', () => <p>Not copy</p>);\n" },
    ];
    const entries = buildCatalog(files);
    expect(find(entries, "Menu").pages).toEqual([EVERY_PAGE]);
    expect(find(entries, "Pricing").pages).toEqual(["/pricing"]);
    expect(find(entries, "Start free trial").pages).toEqual(["/", "/pricing"]);
    expect(find(entries, "Start now")).toMatchObject({ kind: "jsx-attribute", key: "title", pages: ["/", "/pricing"] });
    // A dynamic route is named as a pattern: the page is known, though it needs data to open.
    expect(find(entries, "Loading post").pages).toEqual(["/blog/:slug"]);
    expect(entries.some((entry) => entry.text === "Not copy")).toBe(false);
  });

  it("gives a nested layout the pages under its folder, and does not follow imports into other pages or types", () => {
    const files: CopyFile[] = [
      { path: "app/layout.tsx", content: "export default function Root({ children }) { return <body>{children}</body>; }\n" },
      {
        path: "app/(dashboard)/dashboard/layout.tsx",
        content: "export default function Shell({ children }) { return <section><h2>Your workspace</h2>{children}</section>; }\n",
      },
      { path: "app/(dashboard)/dashboard/page.tsx", content: "export default function Home() { return <p>Overview</p>; }\n" },
      { path: "app/(dashboard)/dashboard/[projectId]/page.tsx", content: "export default function Project() { return <p>Project</p>; }\n" },
      {
        path: "app/login/page.tsx",
        content: [
          // A helper exported by another page, and a type: neither renders that page's text on /login.
          'import { verifyCode } from "../verify/page";',
          'import type { Session } from "@/lib/session";',
          "export default function Login() { return <p>Sign in</p>; }",
        ].join("\n"),
      },
      { path: "app/verify/page.tsx", content: "export const verifyCode = () => true;\nexport default function Verify() { return <p>Check your email</p>; }\n" },
      { path: "lib/session.ts", content: 'export type Session = { id: string };\nexport const labels = { title: "Session expired" };\n' },
    ];
    const entries = buildCatalog(files);
    expect(find(entries, "Your workspace").pages).toEqual(["/dashboard", "/dashboard/:projectId"]);
    expect(find(entries, "Check your email").pages).toEqual(["/verify"]);
    // Only a type is imported from lib/session.ts: /login does not render its label.
    expect(find(entries, "Session expired").pages).toEqual([]);
  });

  it("parses only the files a new commit changed, with the same result as a build from scratch", () => {
    const cache = createCatalogFileCache<FileFacts>();
    const first = filesUnder(PREVIEW_APP);
    expect(buildCatalog(first, cache)).toEqual(buildCatalog(first));
    expect(cache.stats).toEqual({ hits: 0, misses: first.length });

    // The next commit changes one component and adds a page that imports it; nothing else is parsed again.
    const changed = first.map((file) => (file.path === "src/components/plan-card.js" ? { ...file, content: file.content.replace("<li>", "<li>\n") } : file));
    const added = {
      path: "src/pages/plans.js",
      content: 'import { PlanCard } from "../components/plan-card.js";\nexport const Plans = () => <main><h1>All plans</h1><PlanCard /></main>;\n',
    };
    const next = [...changed, added];
    const entries = buildCatalog(next, cache);
    expect(cache.stats).toEqual({ hits: first.length - 1, misses: first.length + 2 });
    expect(entries).toEqual(buildCatalog(next));
    // Resolution is per build: the unchanged component's strings now also appear on the new page.
    expect(find(entries, "All plans").pages).toEqual(["/plans"]);
    expect(find(entries, "Sign up").pages).toEqual(["/plans", "/pricing"]);
  });
});
