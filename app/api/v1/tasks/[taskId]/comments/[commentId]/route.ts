import { apiRoute } from "@/lib/http/api-route";
import { deleteReviewComment } from "@/lib/review-comments/review-comments";

// Removes a draft comment; sent ones stay with their turn.
export const DELETE = apiRoute<{ taskId: string; commentId: string }>(async ({ user, params }) => {
  await deleteReviewComment(user.id, params.taskId, params.commentId);
  return new Response(null, { status: 204 });
});
