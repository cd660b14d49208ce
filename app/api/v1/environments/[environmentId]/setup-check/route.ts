import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { createSetupCheck } from "@/lib/tasks/create-setup-check";

// "Test setup": queues a task of mode "setup" that runs (or reuses) the environment's setup with no model.
export const POST = apiRoute<{ environmentId: string }>(async ({ user, params }) =>
  NextResponse.json(await createSetupCheck(user.id, params.environmentId), { status: 201 }),
);
