import { apiRoute } from "@/lib/http/api-route";
import { getTaskPatch } from "@/lib/tasks/task-queries";

// The unified diff as text; `?download=1` makes browsers save it as a .patch file.
export const GET = apiRoute<{ taskId: string }>(async ({ request, user, params }) => {
  const patch = await getTaskPatch(user.id, params.taskId);
  const headers: Record<string, string> = { "content-type": "text/x-diff; charset=utf-8", "x-content-type-options": "nosniff" };
  if (request.nextUrl.searchParams.get("download") === "1") {
    headers["content-disposition"] = `attachment; filename="patchbay-${params.taskId}.patch"`;
  }
  return new Response(patch, { status: 200, headers });
});
