import type { StoredArtifact } from "./artifact-queries";

/** A stored picture as an HTTP response: streamed, download-safe, never rendered as HTML. */
export function artifactResponse(artifact: StoredArtifact, cacheControl: string): Response {
  return new Response(artifact.body, {
    headers: {
      "content-type": artifact.contentType,
      "content-length": String(artifact.size),
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'",
      "cache-control": cacheControl,
    },
  });
}
