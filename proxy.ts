// Runs before every page (not API routes or static files):
// - Visitors without a session cookie go to the sign-in page before any page renders. An optimistic
//   check only: every page and API route verifies the session (or token) itself.
// - Every page gets a Content Security Policy with a fresh nonce. Next.js streams inline scripts for
//   hydration, and a static policy could only allow them with 'unsafe-inline', which would let any
//   injected script run too; Next.js reads the nonce from the request's policy header and puts it on its
//   own scripts. Pages are rendered per request anyway (they read the session). frame-ancestors 'none':
//   no other site may frame Patchbay (clickjacking of Allow, Cancel, Reset cache…).
import { type NextRequest, NextResponse } from "next/server";

const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

export function contentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts the nonced ones load are trusted, nothing else. Dev mode evaluates code.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes (style={{…}}) cannot carry a nonce; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function proxy(request: NextRequest) {
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
  if (!hasSession && !/^\/login(\/|$)/.test(request.nextUrl.pathname)) return NextResponse.redirect(new URL("/login", request.url));
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV === "development");
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  // Pages only: API routes answer 401 JSON themselves (their headers are in next.config.ts), and static
  // assets need neither a session nor a policy.
  matcher: ["/((?!api/|_next/|favicon.ico).*)"],
};
