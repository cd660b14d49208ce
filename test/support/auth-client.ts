// A browser's side of next-auth, driving the real route handler (app/api/auth/[...nextauth]/route.ts)
// in-process: a cookie jar, the CSRF token, credentials sign-in and the GitHub OAuth round trip.
// Before any other Next module: it puts AsyncLocalStorage on globalThis, which Next reads once at load.
import "next/dist/server/node-environment-baseline";
import { NextRequest } from "next/server";
import { GET, POST } from "@/app/api/auth/[...nextauth]/route";
import { inRequestScope } from "./next-request-scope";

export const APP_URL = "http://localhost:3000";

export class AuthClient {
  readonly cookies = new Map<string, string>();

  /** `headers` go with every request, e.g. the connection's address or a forged X-Forwarded-For. */
  constructor(private readonly headers: Record<string, string> = {}) {}

  async call(method: "GET" | "POST", path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const url = new URL(path, APP_URL);
    const all = new Headers({ ...this.headers, ...headers });
    if (this.cookies.size > 0) all.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    if (form) all.set("content-type", "application/x-www-form-urlencoded");
    const request = new NextRequest(url, { method, headers: all, ...(form ? { body: new URLSearchParams(form).toString() } : {}) });
    const nextauth = url.pathname.replace(/^\/api\/auth\//, "").split("/");
    const handler = method === "GET" ? GET : POST;
    const response: Response = await inRequestScope("/api/auth/[...nextauth]", request, () => handler(request, { params: Promise.resolve({ nextauth }) }));
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      if (value === "" || /max-age=0\b/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  async csrfToken(): Promise<string> {
    const response = await this.call("GET", "/api/auth/csrf");
    return ((await response.json()) as { csrfToken: string }).csrfToken;
  }

  /** Email and password as the login form sends them; `error` is what the form would show (null: signed in). */
  async signInWithPassword(email: string, password: string, headers: Record<string, string> = {}): Promise<{ error: string | null }> {
    const csrfToken = await this.csrfToken();
    const response = await this.call(
      "POST",
      "/api/auth/callback/credentials",
      { csrfToken, email, password, callbackUrl: `${APP_URL}/`, json: "true" },
      headers,
    );
    const { url } = (await response.json()) as { url: string };
    return { error: new URL(url, APP_URL).searchParams.get("error") };
  }

  /** "Sign in with GitHub" → GitHub's authorize page → our callback; returns where the browser ends up. */
  async signInWithGithub(): Promise<{ location: string; authorizeUrl: URL }> {
    const csrfToken = await this.csrfToken();
    const start = await this.call("POST", "/api/auth/signin/github", { csrfToken, callbackUrl: `${APP_URL}/`, json: "true" });
    const authorizeUrl = new URL(((await start.json()) as { url: string }).url);
    const authorize = await fetch(authorizeUrl, { redirect: "manual" });
    const callback = authorize.headers.get("location");
    if (authorize.status !== 302 || !callback) throw new Error(`GitHub authorize answered ${authorize.status}: ${await authorize.text()}`);
    const done = await this.call("GET", callback);
    return { location: new URL(done.headers.get("location") ?? "", APP_URL).toString().replace(APP_URL, ""), authorizeUrl };
  }

  async session(): Promise<{ user?: { id?: string; email?: string; role?: string } }> {
    const response = await this.call("GET", "/api/auth/session");
    return (await response.json()) as { user?: { id?: string; email?: string; role?: string } };
  }
}
