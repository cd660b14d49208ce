import { NextResponse } from "next/server";
import { revokeApiToken } from "@/lib/auth/api-tokens";
import { apiRoute } from "@/lib/http/api-route";

// Revokes one of the caller's own tokens (a token may revoke itself); anyone else's id is 404.
export const DELETE = apiRoute<{ tokenId: string }>(async ({ user, params }) => NextResponse.json(await revokeApiToken(user.id, params.tokenId)));
