import { NextResponse } from "next/server";
import { getCatalogView } from "@/lib/copy/catalog-queries";
import { apiRoute } from "@/lib/http/api-route";

// The environment's text catalog for copy mode. `?refresh=1` asks the worker to look at the branch head now.
export const GET = apiRoute<{ environmentId: string }>(async ({ request, user, params }) => {
  const refresh = request.nextUrl.searchParams.get("refresh") === "1";
  return NextResponse.json(await getCatalogView(user.id, params.environmentId, { refresh }));
});
