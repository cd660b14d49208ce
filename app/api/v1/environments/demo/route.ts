import { NextResponse } from "next/server";
import { createDemoEnvironment } from "@/lib/demo/demo-environment";
import { getEnvironment } from "@/lib/environments/environment-queries";
import { apiRoute } from "@/lib/http/api-route";

// The demo site (Paperkite) as an environment of the caller: 201 when created, 200 when it already existed.
export const POST = apiRoute(async ({ user }) => {
  const demo = await createDemoEnvironment(user.id);
  return NextResponse.json(await getEnvironment(user.id, demo.id), { status: demo.created ? 201 : 200 });
});
