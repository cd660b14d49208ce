import { NextResponse } from "next/server";
import { createEnvironment } from "@/lib/environments/create-environment";
import { listEnvironments } from "@/lib/environments/environment-queries";
import { apiRoute, readJson } from "@/lib/http/api-route";

export const POST = apiRoute(async ({ request, user }) => {
  const environment = await createEnvironment(user.id, await readJson(request));
  return NextResponse.json(environment, { status: 201 });
});

export const GET = apiRoute(async ({ user }) => NextResponse.json({ environments: await listEnvironments(user.id) }));
