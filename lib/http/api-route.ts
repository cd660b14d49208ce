// Wraps REST route handlers: resolves the caller (bearer token or session cookie), maps errors to
// `{ error: { code, message } }` with the right status, and keeps handlers to parse → call → respond.
import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { ZodError } from "zod";
import { currentUser } from "@/lib/auth";
import { userForApiToken } from "@/lib/auth/api-tokens";
import { AppError, httpStatusFor, isAppError } from "@/lib/errors";
import { isPlausibleId } from "./plausible-id";

export type ApiUser = { id: string; email: string; role: string };
type RouteContext<P> = { params: Promise<P> };

export function apiRoute<P = Record<string, never>>(handler: (input: { request: NextRequest; user: ApiUser; params: P }) => Promise<Response>) {
  return async (request: NextRequest, context: RouteContext<P>): Promise<Response> => {
    try {
      const params = await context.params;
      // Every dynamic segment is an id (taskId, environmentId, attempt index…).
      for (const value of Object.values(params ?? {})) {
        if (typeof value === "string" && !isPlausibleId(value)) throw new AppError("not_found", "Not found.");
      }
      const user = await resolveUser(request);
      return await handler({ request, user, params });
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
    if (!user) throw new AppError("unauthorized", "The API token is not valid (check that it was copied whole).");
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

export const MAX_JSON_BODY_BYTES = 1024 * 1024;
const TOO_LARGE = `Request body is larger than ${MAX_JSON_BODY_BYTES / 1024 / 1024} MiB.`;

/**
 * Reads a JSON body: refused by its Content-Length before anything is read, or as soon as a body sent
 * without one passes the limit; malformed JSON and NUL characters (which PostgreSQL cannot store) are a
 * 400 instead of a 500.
 */
export async function readJson(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > MAX_JSON_BODY_BYTES) throw new AppError("payload_too_large", TOO_LARGE);
  const text = await readLimited(request, MAX_JSON_BODY_BYTES);
  let value: unknown;
  try {
    value = text ? JSON.parse(text) : {};
  } catch {
    throw new AppError("bad_request", "Request body is not valid JSON.");
  }
  if (containsNul(value)) throw new AppError("bad_request", "Request body contains a NUL character (\\u0000), which no field may hold.");
  return value;
}

/** The body as text, refused (413) past `limit` bytes even when it comes without a Content-Length. */
export async function readLimited(request: Request, limit: number, tooLarge = TOO_LARGE): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new AppError("payload_too_large", tooLarge);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function containsNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\0");
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === "object") return Object.entries(value).some(([key, entry]) => key.includes("\0") || containsNul(entry));
  return false;
}
