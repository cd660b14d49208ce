import { NextResponse } from "next/server";
import { assertAdmin, roleChangeSchema, setRole } from "@/lib/auth/people";
import { apiRoute, readJson } from "@/lib/http/api-route";

// assertAdmin first so a non-admin gets 403 whatever the body; setRole checks again inside its transaction.
export const PATCH = apiRoute<{ userId: string }>(async ({ request, user, params }) => {
  await assertAdmin(user.id);
  const { role } = roleChangeSchema.parse(await readJson(request));
  return NextResponse.json(await setRole(user.id, params.userId, role));
});
