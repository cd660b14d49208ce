import ts from "typescript";
import { describe, expect, it } from "vitest";
import { isAppRouteConfig, moduleLinks, routeFacts, routeFolders, routeTables, routesFromTables } from "./route-tables";

const parse = (content: string, path = "src/router.tsx") => ts.createSourceFile(path, content, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
/** "route → target" lines, sorted, for readable expectations. */
const tableOf = (content: string, path?: string) =>
  routeTables(parse(content, path))
    .map(({ route, target }) => `${route} → ${"identifier" in target ? target.identifier : target.specifier}`)
    .sort();

describe("routeTables: React Router route objects", () => {
  it("reads createBrowserRouter with nesting, index routes, layouts, lazy and Suspense", () => {
    const table = tableOf(`
      import { createBrowserRouter } from "react-router-dom";
      import { Suspense, lazy } from "react";
      import Root from "./layouts/Root";
      import Home from "@/pages/Home";
      import { SettingsLayout } from "./pages/settings/Layout";
      import Profile from "./pages/settings/Profile";
      import { AuthLayout } from "./layouts/Auth";
      const Billing = lazy(() => import("./pages/settings/Billing"));
      export const router = createBrowserRouter([
        {
          path: "/",
          element: <Root />,
          children: [
            { index: true, element: <Home /> },
            { path: "pricing", lazy: () => import("./pages/pricing") },
            {
              path: "/settings",
              Component: SettingsLayout,
              children: [
                { index: true, element: <Profile /> },
                { path: "profile", element: <Profile /> },
                { path: "billing", element: <Suspense fallback={<Spinner />}><Billing /></Suspense> },
              ],
            },
            { path: "users/:id", element: <Profile /> },
          ],
        },
        { element: <AuthLayout />, children: [{ path: "/login", element: <Home /> }] },
        { path: "*", element: <Home /> },
      ]);
    `);
    expect(table).toEqual(
      [
        "/ → Home",
        "/ → Root",
        "/pricing → Root",
        "/pricing → ./pages/pricing",
        "/settings → Root",
        "/settings → SettingsLayout",
        "/settings → Profile",
        "/settings/profile → Root",
        "/settings/profile → SettingsLayout",
        "/settings/profile → Profile",
        "/settings/billing → Root",
        "/settings/billing → SettingsLayout",
        "/settings/billing → Suspense",
        "/settings/billing → ./pages/settings/Billing",
        "/users/:id → Root",
        "/users/:id → Profile",
        "/login → AuthLayout",
        "/login → Home",
        "/* → Home",
      ].sort(),
    );
  });

  it("reads exported arrays, children declared apart, route constants and Vue Router's component", () => {
    const table = tableOf(`
      import Account from "./pages/Account";
      import Team from "./pages/Team";
      const ROUTES = { account: { home: "/account" }, team: "team" } as const;
      const accountRoutes = [{ path: ROUTES.team, component: Team }];
      export default [
        { path: ROUTES.account.home, component: Account, children: accountRoutes },
        { path: "/about", component: () => import("./views/About") },
      ] satisfies RouteObject[];
    `);
    expect(table).toEqual(["/about → ./views/About", "/account → Account", "/account/team → Account", "/account/team → Team"]);
  });

  it("leaves alone lists that are not routes, and routes whose path it cannot read", () => {
    expect(
      tableOf(`
        import { paths } from "./paths";
        const links = [{ path: "/pricing", label: "Pricing" }];
        const routes = [{ path: paths.pricing, element: <Pricing />, children: [{ path: "yearly", element: <Yearly /> }] }];
      `),
    ).toEqual([]);
  });
});

describe("routeTables: JSX routes", () => {
  it("reads a <Routes> tree with nesting, index and layout routes", () => {
    const table = tableOf(`
      import { Routes, Route } from "react-router-dom";
      export function App() {
        return (
          <Routes>
            <Route path="/" element={<Layout />}>
              <Route index element={<Home />} />
              <Route path="pricing" element={<RequireAuth><Pricing /></RequireAuth>} />
              <Route path="docs/*" element={<Docs />} />
            </Route>
            <Route element={<Blank />}>
              <Route path="/login" element={<Login />} />
            </Route>
          </Routes>
        );
      }
    `);
    expect(table).toEqual(
      [
        "/ → Layout",
        "/ → Home",
        "/pricing → Layout",
        "/pricing → RequireAuth",
        "/pricing → Pricing",
        "/docs/* → Layout",
        "/docs/* → Docs",
        "/login → Blank",
        "/login → Login",
      ].sort(),
    );
  });

  it("reads react-router v5: component=, render=, children and route wrappers", () => {
    const table = tableOf(`
      export const App = () => (
        <Switch>
          <Route exact path="/" component={Home} />
          <Route path="/about" render={() => <About />} />
          <Route path="/contact"><Contact /></Route>
          <PrivateRoute path="/dashboard" component={Dashboard} />
        </Switch>
      );
    `);
    expect(table).toEqual(["/ → Home", "/about → About", "/contact → Contact", "/dashboard → Dashboard", "/dashboard → PrivateRoute"]);
  });
});

describe("routeTables: React Router v7 app/routes.ts", () => {
  it("reads route, index, layout and prefix, with module paths relative to app/", () => {
    const table = tableOf(
      `
      import { type RouteConfig, index, layout, prefix, route } from "@react-router/dev/routes";
      export default [
        index("routes/home.tsx"),
        route("pricing", "./routes/pricing.tsx"),
        layout("routes/dashboard-layout.tsx", [route("dashboard", "routes/dashboard.tsx"), route("projects/:id", "routes/project.tsx")]),
        ...prefix("docs", [index("routes/docs/index.tsx"), route("intro", "routes/docs/intro.tsx")]),
      ] satisfies RouteConfig;
    `,
      "app/routes.ts",
    );
    expect(table).toEqual(
      [
        "/ → ./routes/home.tsx",
        "/pricing → ./routes/pricing.tsx",
        "/dashboard → ./routes/dashboard-layout.tsx",
        "/dashboard → ./routes/dashboard.tsx",
        "/projects/:id → ./routes/dashboard-layout.tsx",
        "/projects/:id → ./routes/project.tsx",
        "/docs → ./routes/docs/index.tsx",
        "/docs/intro → ./routes/docs/intro.tsx",
      ].sort(),
    );
  });

  it("ignores route() and index() that are not React Router's", () => {
    expect(tableOf('import { route } from "./api";\nexport default [route("pricing", "routes/pricing.tsx")];')).toEqual([]);
  });
});

describe("routeTables: route configs of development tools", () => {
  const config = 'import { index, route } from "@react-router/dev/routes";\nexport default [index("routes/home.tsx"), route(":slug", "routes/$slug.tsx")];';

  it("reads the route config of the app folder at the repository's or a workspace package's root", () => {
    for (const path of ["app/routes.ts", "apps/web/app/routes.ts", "packages/site/app/routes.ts", "web/app/routes.ts"]) {
      expect(tableOf(config, path), path).toEqual(["/ → ./routes/home.tsx", "/:slug → ./routes/$slug.tsx"]);
    }
  });

  it("places no pages from a route config nested inside a workspace package (an email previewer)", () => {
    expect(tableOf(config, "packages/email/preview/app/routes.ts")).toEqual([]);
    expect(isAppRouteConfig("packages/email/preview/app/routes.ts")).toBe(false);
    expect(isAppRouteConfig("tools/email/preview/app/routes.ts")).toBe(false);
  });
});

describe("routeFolders: react-router-auto-routes", () => {
  it("reads autoRoutes() with its ignored files, a routesDir and mounted folders", () => {
    const folders = (content: string, path = "app/routes.ts") => routeFolders(parse(content, path));
    expect(folders('import { autoRoutes } from "react-router-auto-routes";\nexport default autoRoutes() satisfies RouteConfig;')).toEqual([
      { dir: "app/routes", mount: "/", ignored: [] },
    ]);
    expect(
      folders(
        'import autoRoutes from "react-router-auto-routes";\nconst ignored = ["**/*.test.tsx"];\nexport default autoRoutes({ ignoredRouteFiles: ignored, routesDir: "pages" });',
        "apps/web/app/routes.ts",
      ),
    ).toEqual([{ dir: "apps/web/app/pages", mount: "/", ignored: ["**/*.test.tsx"] }]);
    expect(
      folders(
        'import { autoRoutes } from "react-router-auto-routes";\nexport default autoRoutes({ routesDir: { "/": "app/routes", "/docs": "docs/routes" } });',
      ),
    ).toEqual([
      { dir: "app/routes", mount: "/", ignored: [] },
      { dir: "docs/routes", mount: "/docs", ignored: [] },
    ]);
  });

  it("ignores other autoRoutes functions and the configs of tools inside a package", () => {
    expect(routeFolders(parse('import { autoRoutes } from "./routing";\nexport default autoRoutes();', "app/routes.ts"))).toEqual([]);
    expect(
      routeFolders(parse('import { autoRoutes } from "react-router-auto-routes";\nexport default autoRoutes();', "packages/email/preview/app/routes.ts")),
    ).toEqual([]);
  });
});

describe("routesFromTables", () => {
  it("routes the files of an autoRoutes() folder, so flat-route names no longer apply to them", () => {
    const page = "export default function Page() { return null; }";
    const sources: Record<string, string> = {
      "app/routes.ts": 'import { autoRoutes } from "react-router-auto-routes";\nexport default autoRoutes({ ignoredRouteFiles: ["**/*.test.tsx"] });',
      "app/routes/_marketing/index.tsx": page,
      "app/routes/_auth/_layout.tsx": page,
      "app/routes/_auth/login.tsx": page,
      "app/routes/_auth/login.test.tsx": page,
      "app/routes/settings/profile/index.tsx": page,
      "app/routes/users/$username/index.tsx": page,
      "app/routes/index.tsx": page,
      // A resource route (no default export) and a server module render no page.
      "app/routes/healthcheck.tsx": "export function loader() { return null; }",
      "app/routes/login.server.ts": "export function login() {}",
      "app/components/header.tsx": page,
    };
    const facts = new Map(Object.entries(sources).map(([path, content]) => [path, routeFacts(parse(content, path))]));
    const routed = routesFromTables(facts, () => undefined);
    expect(Object.fromEntries([...routed].map(([file, routes]) => [file, [...routes]]))).toEqual({
      "app/routes/_marketing/index.tsx": ["/"],
      "app/routes/_auth/_layout.tsx": ["/login"],
      "app/routes/_auth/login.tsx": ["/login"],
      "app/routes/_auth/login.test.tsx": [],
      "app/routes/settings/profile/index.tsx": ["/settings/profile"],
      "app/routes/users/$username/index.tsx": ["/users/:username"],
      "app/routes/index.tsx": ["/"],
      "app/routes/healthcheck.tsx": [],
      "app/routes/login.server.ts": [],
    });
  });

  it("follows an identifier through the table's imports and a barrel's re-exports to the defining file", () => {
    const sources: Record<string, string> = {
      "src/router.tsx": `
        import { Home, Pricing } from "./pages";
        import Legal from "./pages/legal";
        import { Local } from "./local";
        function Inline() { return null; }
        export default [{ path: "/", element: <Home /> }, { path: "/pricing", element: <Pricing /> }, { path: "/legal", element: <Legal /> }, { path: "/inline", element: <Inline /> }, { path: "/x", element: <Local /> }];
      `,
      "src/pages/index.ts": 'export { default as Home } from "./Home";\nexport * from "./pricing";',
      "src/pages/Home.tsx": "export default function Home() { return null; }",
      "src/pages/pricing.tsx": "export function Pricing() { return null; }",
      "src/pages/legal/index.tsx": 'import Terms from "./Terms";\nexport default Terms;',
      "src/pages/legal/Terms.tsx": "export default function Terms() { return null; }",
    };
    const facts = new Map(Object.entries(sources).map(([path, content]) => [path, routeFacts(parse(content, path))]));
    const resolve = (from: string, specifier: string) => {
      const base = `${from.split("/").slice(0, -1).join("/")}/${specifier.replace(/^\.\//, "")}`;
      return [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`].find((candidate) => candidate in sources);
    };
    const routed = routesFromTables(facts, resolve);
    expect(Object.fromEntries([...routed].map(([file, routes]) => [file, [...routes]]))).toEqual({
      "src/pages/Home.tsx": ["/"],
      "src/pages/pricing.tsx": ["/pricing"],
      "src/pages/legal/Terms.tsx": ["/legal"],
    });
  });

  it("lists a module's imports, declarations and re-exports", () => {
    expect(
      moduleLinks(
        parse(
          'import A, { b as B } from "./a";\nimport * as NS from "./ns";\nexport const c = 1;\nexport { B };\nexport * from "./d";\nexport default function () {}',
        ),
      ),
    ).toEqual({
      imports: [
        { local: "A", specifier: "./a", name: "default" },
        { local: "B", specifier: "./a", name: "b" },
        { local: "NS", specifier: "./ns", name: "*" },
      ],
      declared: ["c", "default"],
      reexports: [
        { name: "*", specifier: "./d", imported: "*" },
        { name: "B", specifier: "./a", imported: "b" },
      ],
    });
  });
});
