import { readArtifact } from "@/lib/artifacts/artifact-queries";
import { artifactResponse } from "@/lib/artifacts/artifact-response";
import { apiRoute } from "@/lib/http/api-route";

// Screenshot bytes, for whoever may see the task.
export const GET = apiRoute<{ artifactId: string }>(async ({ user, params }) => {
  const artifact = await readArtifact(user.id, params.artifactId);
  return artifactResponse(artifact, "private, max-age=31536000, immutable");
});
