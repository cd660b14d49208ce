import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { takePagePictures } from "@/lib/copy/page-pictures";

// "Take pictures": queues a task of mode "pages" that pictures the app's pages and finds the texts on them
// (200 with the task already doing it).
export const POST = apiRoute<{ environmentId: string }>(async ({ user, params }) => {
  const task = await takePagePictures(user.id, params.environmentId);
  return NextResponse.json(task, { status: task.started ? 201 : 200 });
});
