// Which page a source file renders, by file-system routing convention: Next.js app/ and pages/ routers,
// and src/pages or src/routes folders (file name = route, home/index = "/"). Dynamic segments ([id])
// can't be rendered without data, so those files have no route. Used for screenshots (which routes a
// change affects) and by copy mode (which page a string appears on).
const PAGE_EXTENSIONS = /\.(tsx|ts|jsx|js|mdx|md|vue|svelte|astro)$/;

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

/** A layout wraps every page below its folder (Next.js app router); its strings appear on all of them. */
export function isLayoutFile(file: string): boolean {
  return /^(?:src\/)?app\/(?:.*\/)?layout\.(tsx|ts|jsx|js)$/.test(file) || /^(?:src\/)?pages\/_(app|document)\.(tsx|ts|jsx|js)$/.test(file);
}

function toRoute(segments: string[]): string | null {
  if (segments.some((segment) => segment.includes("[") || segment.startsWith(":") || segment.startsWith("$"))) return null;
  return `/${segments.filter(Boolean).join("/")}`;
}
