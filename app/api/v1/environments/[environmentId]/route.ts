import { NextResponse } from "next/server";
import { getEnvironment } from "@/lib/environments/environment-queries";
import { updateCopyPaths } from "@/lib/environments/update-copy-paths";
import { apiRoute, readJson } from "@/lib/http/api-route";

export const GET = apiRoute<{ environmentId: string }>(async ({ user, params }) => NextResponse.json(await getEnvironment(user.id, params.environmentId)));

// Only the copy-mode paths can be changed after creation (the repository and previews are fixed).
export const PATCH = apiRoute<{ environmentId: string }>(async ({ request, user, params }) =>
  NextResponse.json(await updateCopyPaths(user.id, params.environmentId, await readJson(request))),
);
