import { NextResponse } from "next/server";
import { apiRoute, readJson } from "@/lib/http/api-route";
import { clearSlackSettings, setSlackSettings } from "@/lib/triggers/slack-settings";

type Params = { environmentId: string };

// The environment's Slack name (`/patchbay <name> …`) and channels: {name, channels: ["C0123…"]}.
export const PUT = apiRoute<Params>(async ({ request, user, params }) =>
  NextResponse.json(await setSlackSettings(user.id, params.environmentId, await readJson(request))),
);

export const DELETE = apiRoute<Params>(async ({ user, params }) => {
  await clearSlackSettings(user.id, params.environmentId);
  return new NextResponse(null, { status: 204 });
});
