import { NextResponse } from "next/server";
import { apiRoute, readJson } from "@/lib/http/api-route";
import { createTask } from "@/lib/tasks/create-task";
import { listTasks } from "@/lib/tasks/task-queries";

export const POST = apiRoute(async ({ request, user }) => {
  const task = await createTask(user.id, await readJson(request));
  return NextResponse.json({ id: task.id }, { status: 201 });
});

export const GET = apiRoute(async ({ user }) => NextResponse.json({ tasks: await listTasks(user.id) }));
