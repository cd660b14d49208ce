// Guesses which routes a change affects from the changed file paths, for environments whose preview
// uses `routes: { mode: "detect" }`. Conventions covered: Next.js app/ and pages/ routers, and
// src/pages or src/routes folders (file name = route, home/index = "/"). Dynamic segments ([id]) can't
// be rendered without data, so those files are skipped. Nothing found → the configured fallback.
const PAGE_EXTENSIONS = /\.(tsx|ts|jsx|js|mdx|md|vue|svelte|astro)$/;
const MAX_DETECTED = 10;

export function detectRoutes(changedFiles: readonly string[], fallback: readonly string[]): string[] {
  const routes = new Set<string>();
  for (const file of changedFiles) {
    const route = routeForFile(file);
    if (route) routes.add(route);
  }
  return routes.size > 0 ? [...routes].slice(0, MAX_DETECTED) : [...fallback];
}

export function routeForFile(file: string): string | null {
  const appRouter = /^(?:src\/)?app\/(.*?)\/?page\.(tsx|ts|jsx|js|mdx)$/.exec(file) ?? /^(?:src\/)?app\/()page\.(tsx|ts|jsx|js|mdx)$/.exec(file);
  if (appRouter) return toRoute((appRouter[1] ?? "").split("/").filter((segment) => !/^\(.*\)$/.test(segment) && !segment.startsWith("@")));
  const pagesLike = /^(?:src\/)?(?:pages|routes)\/(.+)$/.exec(file);
  if (!pagesLike?.[1] || !PAGE_EXTENSIONS.test(pagesLike[1])) return null;
  const segments = pagesLike[1].replace(PAGE_EXTENSIONS, "").split("/");
  if (segments[0] === "api" || segments.some((segment) => segment.startsWith("_"))) return null;
  const last = segments.at(-1);
  if (last === "index" || last === "home" || last === "+page") segments.pop();
  return toRoute(segments);
}

function toRoute(segments: string[]): string | null {
  if (segments.some((segment) => segment.includes("[") || segment.startsWith(":") || segment.startsWith("$"))) return null;
  return `/${segments.filter(Boolean).join("/")}`;
}
