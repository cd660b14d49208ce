import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { listTriggers } from "@/lib/triggers/triggers";

// The trigger inbox: every delivery to the caller's environments and its fate, newest first.
export const GET = apiRoute(async ({ request, user }) => {
  const query = request.nextUrl.searchParams;
  return NextResponse.json(await listTriggers(user.id, { environmentId: query.get("environmentId"), limit: Number(query.get("limit") ?? 100) || 100 }));
});
