// Runs an App Router route handler in-process the way `next start` does for what it reads: `headers()`
// and `cookies()` from next/headers answer from the request, because the handler runs inside Next's own
// request stores. Only those two APIs are served; anything else Next-specific is out of scope here.
// What `next start` loads first: it puts AsyncLocalStorage on globalThis, where Next's stores look for it.
import "next/dist/server/node-environment-baseline";
import { workAsyncStorage } from "next/dist/server/app-render/work-async-storage.external";
import { workUnitAsyncStorage } from "next/dist/server/app-render/work-unit-async-storage.external";
import { RequestCookies } from "next/dist/server/web/spec-extension/cookies";

export async function inRequestScope<T>(route: string, request: Request, handler: () => Promise<T>): Promise<T> {
  const cookies = new RequestCookies(request.headers);
  // Shaped like Next's stores only as far as headers() and cookies() look; the casts are the price of
  // using Next's internal types without building a whole render context.
  const workStore = { route, forceStatic: false, forceDynamic: false, dynamicShouldError: false, isStaticGeneration: false };
  const requestStore = { type: "request", phase: "action", headers: request.headers, cookies, userspaceMutableCookies: cookies, mutableCookies: cookies };
  return workAsyncStorage.run(workStore as never, () => workUnitAsyncStorage.run(requestStore as never, handler));
}
