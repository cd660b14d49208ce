import { NextResponse } from "next/server";
import { resetSetupCache } from "@/lib/environments/setup-cache-store";
import { apiRoute } from "@/lib/http/api-route";

// "Reset cache": forgets every saved setup of the environment; the next task runs setup from scratch.
export const DELETE = apiRoute<{ environmentId: string }>(async ({ user, params }) => NextResponse.json(await resetSetupCache(user.id, params.environmentId)));
