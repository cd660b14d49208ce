import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { retryTrigger } from "@/lib/triggers/triggers";

// Retry: a refused or failed trigger runs again from its verified delivery, or its failed replies are sent again.
export const POST = apiRoute<{ triggerId: string }>(async ({ user, params }) =>
  NextResponse.json(await retryTrigger(user.id, params.triggerId), { status: 202 }),
);
