import { artifactResponse } from "@/lib/artifacts/artifact-response";
import { readPagePicture } from "@/lib/copy/page-pictures";
import { apiRoute } from "@/lib/http/api-route";

// A picture of a page for copy mode.
export const GET = apiRoute<{ environmentId: string; artifactId: string }>(async ({ user, params }) => {
  const picture = await readPagePicture(user.id, params.environmentId, params.artifactId);
  return artifactResponse(picture, "private, max-age=31536000, immutable");
});
