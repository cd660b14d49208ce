import { NextResponse } from "next/server";
import { apiRoute, readJson } from "@/lib/http/api-route";

import { disableWebhook, enableWebhook, updateAutoReview } from "@/lib/triggers/triggers";

type Params = { environmentId: string };

// Turns the environment's webhook on (or makes a new secret): the only answer that shows the secret.
export const POST = apiRoute<Params>(async ({ request, user, params }) =>
  NextResponse.json(await enableWebhook(user.id, params.environmentId, await readJson(request)), { status: 201 }),
);

// Automatic review's settings: {autoReview: {enabled, branches, paths, skipAuthors, drafts, minSeverity}}.
export const PATCH = apiRoute<Params>(async ({ request, user, params }) =>
  NextResponse.json(await updateAutoReview(user.id, params.environmentId, await readJson(request))),
);

export const DELETE = apiRoute<Params>(async ({ user, params }) => {
  await disableWebhook(user.id, params.environmentId);
  return new NextResponse(null, { status: 204 });
});
