import { apiRoute } from "@/lib/http/api-route";
import { assertTimelineVisible } from "@/lib/tasks/task-queries";
import { parseEventCursor } from "@/lib/timeline/list-events";
import { acquireStreamSlot } from "@/lib/timeline/stream-slots";
import { taskEventStream } from "@/lib/timeline/task-event-stream";

export const dynamic = "force-dynamic";

// SSE: replays after Last-Event-ID (or ?after=) from Postgres, then streams live events.
export const GET = apiRoute<{ taskId: string }>(async ({ request, user, params }) => {
  await assertTimelineVisible(user.id, params.taskId);
  const cursor = parseEventCursor(request.headers.get("last-event-id") ?? request.nextUrl.searchParams.get("after"));
  const release = acquireStreamSlot(user.id);
  // Freed when the stream ends, or when the client goes away first (release runs once).
  request.signal.addEventListener("abort", release, { once: true });
  return new Response(taskEventStream(params.taskId, cursor, request.signal, { onClose: release }), {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
});
