import { NextResponse } from "next/server";
import { assertAdmin, createPerson, listPeople } from "@/lib/auth/people";
import { apiRoute, readJson } from "@/lib/http/api-route";

// Admins only; the check reads the caller's role from the database before anything else.
export const GET = apiRoute(async ({ user }) => {
  await assertAdmin(user.id);
  return NextResponse.json({ users: await listPeople() });
});

export const POST = apiRoute(async ({ request, user }) => {
  await assertAdmin(user.id);
  return NextResponse.json(await createPerson(await readJson(request)), { status: 201 });
});
