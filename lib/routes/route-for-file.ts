// Which page a source file renders, by file-system routing convention: Next.js app/ and pages/ routers,
// Remix and React Router's app/routes (flat routes: dots separate segments), and src/pages or src/routes
// folders (file name = route, home/index = "/"), which covers Nuxt's pages/*.vue (app/pages in Nuxt 4) and
// SvelteKit's src/routes/**/+page.svelte. Route groups, (marketing), add no segment. Dynamic segments ([id])
// can't be rendered without data, so routeForFile gives those files no route (screenshots need one to open);
// pagePatternForFile names them as patterns (/blog/:slug, /docs/*) for copy mode, which says which page a
// string appears on. A locale segment ([locale], [lang]) is left out, since i18n routing serves the default
// language there (or redirects to it). An app inside a monorepo (apps/web/src/app/…) routes as if its folder
// were the root.
const PAGE_EXTENSIONS = /\.(tsx|ts|jsx|js|mdx|md|vue|svelte|astro)$/;

/** The folder of a workspace package, where an app of a monorepo has its root. */
export const WORKSPACE_PREFIX = /^(?:apps|packages|sites|examples)\/[^/]+\//;
const LOCALE_SEGMENT = /^\[{1,2}(?:\.\.\.)?(?:locale|lang|lng|language|languageCode)\]{1,2}$/;

/** The route a file renders, or null when it renders none or only a dynamic one (which needs data to open). */
export function routeForFile(file: string): string | null {
  return routeInApp(file.replace(WORKSPACE_PREFIX, ""), false);
}

/** The route a file renders, dynamic segments as patterns: `app/blog/[slug]/page.tsx` is /blog/:slug, `[...path]` is *. */
export function pagePatternForFile(file: string): string | null {
  return routeInApp(file.replace(WORKSPACE_PREFIX, ""), true);
}

function routeInApp(file: string, dynamic: boolean): string | null {
  const remix = remixRoute(file, dynamic);
  if (remix !== undefined) return remix;
  const appRouter = /^(?:src\/)?app\/(.*?)\/page\.(tsx|ts|jsx|js|mdx)$/.exec(file) ?? /^(?:src\/)?app\/()page\.(tsx|ts|jsx|js|mdx)$/.exec(file);
  if (appRouter)
    return toRoute(
      (appRouter[1] ?? "").split("/").filter((segment) => !/^\(.*\)$/.test(segment) && !segment.startsWith("@")),
      dynamic,
    );
  const pagesLike = /^(?:src\/)?(?:pages|routes)\/(.+)$/.exec(file) ?? /^(?:src\/)?app\/pages\/(.+\.vue)$/.exec(file);
  if (!pagesLike?.[1] || !PAGE_EXTENSIONS.test(pagesLike[1])) return null;
  const segments = pagesLike[1]
    .replace(PAGE_EXTENSIONS, "")
    .split("/")
    .filter((segment) => !/^\(.*\)$/.test(segment));
  if (segments[0] === "api" || segments.some((segment) => segment.startsWith("_"))) return null;
  const last = segments.at(-1) ?? "";
  // SvelteKit: +page.svelte (and its +page.ts / +page.server.ts load, a +page@group layout reset) is the
  // folder's page; +layout, +error and +server files are not pages.
  if (/^\+page(@[^.]*)?(\.server)?$/.test(last)) segments.pop();
  else if (last.startsWith("+")) return null;
  else if (last === "index" || last === "home") segments.pop();
  return toRoute(segments, dynamic);
}

/** A layout wraps every page below its folder (Next.js app router, Remix's root); its strings appear on all of them. */
export function isLayoutFile(path: string): boolean {
  const file = path.replace(WORKSPACE_PREFIX, "");
  return (
    // Next.js's loading, error, not-found and template files wrap the pages below their folder as a layout does.
    /^(?:src\/)?app\/(?:.*\/)?(?:layout|loading|error|not-found|template)\.(tsx|ts|jsx|js)$/.test(file) ||
    /^(?:src\/)?pages\/_(app|document)\.(tsx|ts|jsx|js)$/.test(file) ||
    /^app\/root\.(tsx|ts|jsx|js)$/.test(file) ||
    // SvelteKit's +layout.svelte at any depth (as Next.js layouts, taken as every page).
    /^(?:src\/)?routes\/(?:.*\/)?\+layout(@[^.]*)?\.svelte$/.test(file) ||
    // Nuxt's layouts/ and app.vue (app/ in Nuxt 4); a Vite app's root App.vue or App.svelte holds the router view.
    /^(?:src\/|app\/)?layouts\/[^/]+\.vue$/.test(file) ||
    /^(?:src\/|app\/)?app\.(vue|svelte)$/i.test(file)
  );
}

/**
 * The folder a nested layout wraps, with its trailing slash (`app/(dashboard)/dashboard/` for its layout.tsx,
 * `src/routes/settings/` for a +layout.svelte): it appears on the pages under that folder. Undefined for a
 * root layout (app/layout.tsx, app/root.tsx, pages/_app, Nuxt layouts, App.vue), which wraps every page.
 */
export function layoutScope(path: string): string | undefined {
  const file = path.replace(WORKSPACE_PREFIX, "");
  const nested =
    /^(?:src\/)?app\/.+\/(?:layout|loading|error|not-found|template)\.(tsx|ts|jsx|js)$/.test(file) ||
    /^(?:src\/)?routes\/.+\/\+layout(@[^.]*)?\.svelte$/.test(file);
  return nested ? path.slice(0, path.lastIndexOf("/") + 1) : undefined;
}

/**
 * Remix / React Router flat routes under app/routes: `_index` is "/", `pricing._index` and `pricing` are
 * "/pricing", `_auth.login` is "/login" (a pathless layout adds no segment), `blog_.post` is "/blog/post",
 * `about/route.tsx` is "/about"; `$id` segments are dynamic (no route) and a pathless layout file itself
 * is not a page. Undefined when the file is not under app/routes.
 */
function remixRoute(file: string, dynamic: boolean): string | null | undefined {
  const match = /^app\/routes\/(.+?)(?:\/route)?\.(tsx|ts|jsx|js|mdx|md)$/.exec(file);
  // A Next.js app router folder named "routes" (app/routes/page.tsx) is Next's.
  if (!match?.[1] || /(^|\/)page$/.test(match[1])) return undefined;
  // remix-flat-routes' hybrid folders: a folder ending in "+" is part of the route name
  // (routes/_auth+/login.tsx is _auth.login); "_"-prefixed files inside are its private modules.
  const name = match[1].replace(/\+\//g, ".");
  if (name.split(".").some((part) => part.includes("/") === false && part.endsWith("+"))) return null;
  // Other modules in a route folder (components, helpers) are not routes; imports give them pages.
  if (name.includes("/")) return null;
  const segments = name.split(".");
  const last = segments.at(-1) ?? "";
  if (last.startsWith("_") && last !== "_index") return null;
  const route: string[] = [];
  for (const segment of segments) {
    if (segment === "_index" || segment.startsWith("_") || /^\(.*\)$/.test(segment)) continue;
    route.push(segment.replace(/_$/, ""));
  }
  return toRoute(route, dynamic);
}

function toRoute(all: string[], dynamic: boolean): string | null {
  const segments = all.filter((segment) => !LOCALE_SEGMENT.test(segment)).map((segment) => (dynamic ? asPattern(segment) : segment));
  if (segments.some((segment) => segment === null || segment.includes("[") || segment.startsWith("$"))) return null;
  if (!dynamic && segments.some((segment) => segment?.startsWith(":"))) return null;
  return `/${segments.filter(Boolean).join("/")}`;
}

/** [id] and $id as :id, a catch-all ([...slug], [[...slug]], $) as *; a segment mixing text and brackets is not read. */
function asPattern(segment: string): string | null {
  if (segment === "$" || /^\[{1,2}\.\.\.[\w-]+\]{1,2}$/.test(segment)) return "*";
  const named = /^\[([\w-]+)\]$/.exec(segment) ?? /^\$([\w-]+)$/.exec(segment);
  if (named) return `:${named[1]}`;
  return segment.includes("[") ? null : segment;
}
