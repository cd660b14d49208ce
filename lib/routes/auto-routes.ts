// react-router-auto-routes, the file-system routing of the Epic Stack: app/routes.ts exports
// `autoRoutes({ ignoredRouteFiles })` and the files of app/routes are the routes. Unlike flat routes
// (route-for-file.ts), folders are route segments as dots are: `settings/profile/index.tsx` and
// `settings.profile.index.tsx` are both /settings/profile. `_`-prefixed segments are pathless
// (`_auth/login.tsx` is /login), `_layout` files wrap the routes of their folder, `index`/`_index` is the
// folder's own route, `folder/route.tsx` the folder's module, `$id` and `$` are dynamic (named as the
// patterns :id and *, as other conventions' dynamic routes are), `(en)` optional (left out), `robots[.]txt` escapes a dot, `password_`
// drops its underscore. `+`-prefixed files and folders are colocated modules and `*.server.*` files server
// code, not routes. The library's own code is the reference: github.com/kenn/react-router-auto-routes.
import path from "node:path/posix";
import picomatch from "picomatch";

/** A folder of route files: `dir` from the repository root, its routes under `mount`, minus `ignored` globs (relative to `dir`). */
export type RouteFolder = { dir: string; mount: string; ignored: string[] };

const ROUTE_MODULE = /\.(tsx|ts|jsx|js|mdx|md)$/;
const SERVER_MODULE = /\.server\.(tsx|ts|jsx|js|mdx|md)$/;
// The library's index test: an `index` or `_index` segment at the end (or before a folder's route.tsx).
const INDEX_ROUTE = /((^|[.])(_?index))($|\/)|(\/(_?index))($|\/)/;
const SPECIAL_NAMES = new Set(["index", "_index", "route", "_route", "_layout"]);

type RouteModule = {
  file: string;
  /** The page's path; a dynamic segment as a pattern (/users/:username). */
  route: string;
  /** Segments that nest it: `settings/profile/_layout` and `settings/profile/index` are both settings/profile. */
  name: string[];
  layout: boolean;
};

/**
 * The pages of every file of `folder`: each route module its own route, a `_layout` every route of its
 * folder (it renders around them). `files`: the repository's files; `rendersPage`: whether a module has a
 * default export, as a route module without one (a resource route, a redirect) renders no page. Every
 * file of the folder is in the map, with an empty set when it is not a page, so no other convention
 * (the flat routes of route-for-file.ts) gives it one; its importers still give it theirs.
 */
export function autoRoutesPages(folder: RouteFolder, files: Iterable<string>, rendersPage: (file: string) => boolean): Map<string, Set<string>> {
  const pages = new Map<string, Set<string>>();
  const modules: RouteModule[] = [];
  for (const file of files) {
    if (!file.startsWith(`${folder.dir}/`)) continue;
    pages.set(file, new Set());
    const module = routeModule(file, folder);
    if (module && rendersPage(file)) modules.push(module);
  }
  for (const module of modules) {
    const below = module.layout ? modules.filter((other) => !other.layout && isPrefix(module.name, other.name)) : [module];
    for (const { route } of below) pages.get(module.file)?.add(route);
  }
  return pages;
}

function routeModule(file: string, folder: RouteFolder): RouteModule | undefined {
  const relative = file.slice(folder.dir.length + 1);
  if (!ROUTE_MODULE.test(relative) || SERVER_MODULE.test(relative)) return undefined;
  if (relative.split("/").some((part) => part.startsWith("+"))) return undefined;
  if (folder.ignored.some((pattern) => picomatch.isMatch(relative, pattern, { dot: true }))) return undefined;
  const id = relative.replace(ROUTE_MODULE, "");
  const raw = splitSegments(id);
  // about/route.tsx is the folder's module (the library still reads these, though it deprecates them).
  if (id.includes("/")) while (raw.at(-1) === "route" || raw.at(-1) === "_route") raw.pop();
  const name = [...raw];
  while (SPECIAL_NAMES.has(name.at(-1) ?? "")) name.pop();
  const pathSegments = INDEX_ROUTE.test(id) ? raw.slice(0, -1) : raw;
  return { file, route: routePath(pathSegments, folder.mount), name, layout: raw.at(-1) === "_layout" };
}

/** Segments are separated by "/" and "."; a "." inside [brackets] or (parentheses) is literal. */
function splitSegments(id: string): string[] {
  const segments = [""];
  let depth = 0;
  for (const char of id) {
    if (char === "[" || char === "(") depth++;
    else if (char === "]" || char === ")") depth--;
    if (depth === 0 && (char === "/" || char === ".")) segments.push("");
    else segments[segments.length - 1] += char;
  }
  return segments.filter(Boolean);
}

function routePath(segments: string[], mount: string): string {
  const parts: string[] = [];
  for (const segment of segments) {
    // Pathless layouts (_auth), _layout and _index add nothing; an optional segment, (en), may be left out.
    if (segment.startsWith("_") || /^\(.*\)$/.test(segment)) continue;
    if (segment.startsWith("$")) {
      parts.push(segment === "$" ? "*" : `:${segment.slice(1)}`);
      continue;
    }
    parts.push(segment.replace(/_$/, "").replace(/\[([^\]]*)\]/g, "$1"));
  }
  const joined = path.join("/", mount, ...parts);
  return joined.length > 1 ? joined.replace(/\/$/, "") : joined;
}

function isPrefix(prefix: string[], of: string[]): boolean {
  return prefix.length <= of.length && prefix.every((segment, index) => of[index] === segment);
}
