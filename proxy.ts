// Request guard: sends visitors without a session cookie to the sign-in page before any page renders.
// It is an optimistic check only; every page and API route verifies the session (or token) itself.
import { NextResponse, type NextRequest } from "next/server";

const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

export function proxy(request: NextRequest) {
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
  if (hasSession) return NextResponse.next();
  const login = new URL("/login", request.url);
  return NextResponse.redirect(login);
}

export const config = {
  // Pages only: API routes answer 401 JSON themselves, and static assets need no session.
  matcher: ["/((?!api/|login|_next/|favicon.ico).*)"],
};
