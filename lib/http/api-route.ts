// Wraps REST route handlers: resolves the caller (bearer token or session cookie), maps errors to
// `{ error: { code, message } }` with the right status, and keeps handlers to parse → call → respond.
import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { ZodError } from "zod";
import { currentUser } from "@/lib/auth";
import { userForApiToken } from "@/lib/auth/api-tokens";
import { AppError, httpStatusFor, isAppError } from "@/lib/errors";

export type ApiUser = { id: string; email: string; role: string };
type RouteContext<P> = { params: Promise<P> };

export function apiRoute<P = Record<string, never>>(handler: (input: { request: NextRequest; user: ApiUser; params: P }) => Promise<Response>) {
  return async (request: NextRequest, context: RouteContext<P>): Promise<Response> => {
    try {
      const user = await resolveUser(request);
      return await handler({ request, user, params: await context.params });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

async function resolveUser(request: NextRequest): Promise<ApiUser> {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const user = match?.[1] ? await userForApiToken(match[1]) : null;
    if (!user) throw new AppError("unauthorized", "The API token is invalid or was revoked.");
    return user;
  }
  const user = await currentUser();
  if (!user) throw new AppError("unauthorized", "Sign in, or send an API token as `Authorization: Bearer <token>`.");
  // Cookie-authenticated writes must come from our own pages (a second line behind SameSite cookies).
  if (request.method !== "GET" && request.method !== "HEAD") {
    // Compared with the Host the browser sent: behind `next start` nextUrl says localhost whatever the address used.
    const origin = request.headers.get("origin");
    if (origin && !isSameHost(origin, request.headers.get("x-forwarded-host") ?? request.headers.get("host"))) {
      throw new AppError("forbidden", "Cross-origin request refused.");
    }
  }
  return user;
}

function isSameHost(origin: string, host: string | null): boolean {
  try {
    return host !== null && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function errorResponse(error: unknown): Response {
  if (error instanceof ZodError) {
    const message = error.issues.map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message)).join("; ");
    return NextResponse.json({ error: { code: "bad_request", message } }, { status: 400 });
  }
  if (isAppError(error)) {
    const details = error.details === undefined ? {} : { details: error.details };
    return NextResponse.json({ error: { code: error.code, message: error.userMessage, ...details } }, { status: httpStatusFor(error.code) });
  }
  console.error(error);
  return NextResponse.json({ error: { code: "internal", message: "Something went wrong on the server." } }, { status: 500 });
}

/** Reads a JSON body, turning a malformed one into a 400 instead of a 500. */
export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > 1024 * 1024) throw new AppError("payload_too_large", "Request body is larger than 1 MiB.");
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new AppError("bad_request", "Request body is not valid JSON.");
  }
}
