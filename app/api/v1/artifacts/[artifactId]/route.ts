import { readArtifact } from "@/lib/artifacts/artifact-queries";
import { apiRoute } from "@/lib/http/api-route";

// Screenshot bytes, for the task's owner only. Served as a download-safe image, never as HTML.
export const GET = apiRoute<{ artifactId: string }>(async ({ user, params }) => {
  const artifact = await readArtifact(user.id, params.artifactId);
  return new Response(new Uint8Array(artifact.bytes), {
    headers: {
      "content-type": artifact.contentType,
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'",
      "cache-control": "private, max-age=31536000, immutable",
    },
  });
});
