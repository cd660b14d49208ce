import { NextResponse } from "next/server";
import { bearerToken, issueApiToken, listApiTokens } from "@/lib/auth/api-tokens";
import { apiRoute, readJson } from "@/lib/http/api-route";

// The caller's own tokens; the secret and its hash never leave the server.
export const GET = apiRoute(async ({ user }) => NextResponse.json({ tokens: await listApiTokens(user.id) }));

// 201 with `token`, the secret, shown this once. A bearer token cannot create one that outlives it.
export const POST = apiRoute(async ({ request, user }) => {
  const created = await issueApiToken(user.id, await readJson(request), bearerToken(request.headers.get("authorization")));
  return NextResponse.json(created, { status: 201 });
});
