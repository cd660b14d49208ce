// Guesses which routes a change affects from the changed file paths, for environments whose preview
// uses `routes: { mode: "detect" }` (conventions in lib/routes/route-for-file.ts). Nothing found → the
// configured fallback.
import { routeForFile } from "@/lib/routes/route-for-file";

const MAX_DETECTED = 10;

export function detectRoutes(changedFiles: readonly string[], fallback: readonly string[]): string[] {
  const routes = new Set<string>();
  for (const file of changedFiles) {
    const route = routeForFile(file);
    if (route) routes.add(route);
  }
  return routes.size > 0 ? [...routes].slice(0, MAX_DETECTED) : [...fallback];
}
