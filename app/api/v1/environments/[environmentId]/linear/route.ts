import { NextResponse } from "next/server";
import { apiRoute, readJson } from "@/lib/http/api-route";
import { clearLinearSettings, setLinearSettings } from "@/lib/triggers/linear-settings";

type Params = { environmentId: string };

// The environment's Linear webhook: {signingSecret, apiKey} (either may be left out to keep the stored one).
// The key is checked with Linear; the answer names the Linear user Patchbay acts as, never the secret or key.
export const PUT = apiRoute<Params>(async ({ request, user, params }) =>
  NextResponse.json(await setLinearSettings(user.id, params.environmentId, await readJson(request))),
);

export const DELETE = apiRoute<Params>(async ({ user, params }) => {
  await clearLinearSettings(user.id, params.environmentId);
  return new NextResponse(null, { status: 204 });
});
