import { apiRoute } from "@/lib/http/api-route";
import { assertTimelineVisible } from "@/lib/tasks/task-queries";
import { parseEventCursor } from "@/lib/timeline/list-events";
import { taskEventStream } from "@/lib/timeline/task-event-stream";

export const dynamic = "force-dynamic";

// SSE: replays after Last-Event-ID (or ?after=) from Postgres, then streams live events.
export const GET = apiRoute<{ taskId: string }>(async ({ request, user, params }) => {
  await assertTimelineVisible(user.id, params.taskId);
  const cursor = parseEventCursor(request.headers.get("last-event-id") ?? request.nextUrl.searchParams.get("after"));
  return new Response(taskEventStream(params.taskId, cursor, request.signal), {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
});
