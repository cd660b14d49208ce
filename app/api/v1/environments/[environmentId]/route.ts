import { NextResponse } from "next/server";
import { getEnvironment } from "@/lib/environments/environment-queries";
import { updateEnvironment } from "@/lib/environments/update-environment";
import { apiRoute, readJson } from "@/lib/http/api-route";

export const GET = apiRoute<{ environmentId: string }>(async ({ user, params }) => NextResponse.json(await getEnvironment(user.id, params.environmentId)));

// Any field; copy paths merge per role and secrets per name (see lib/environments/update-environment.ts).
export const PATCH = apiRoute<{ environmentId: string }>(async ({ request, user, params }) =>
  NextResponse.json(await updateEnvironment(user.id, params.environmentId, await readJson(request))),
);
