import type { StoredArtifact } from "@/lib/artifacts/artifact-queries";

/** All of a stored artifact's streamed bytes, for tests that compare pictures. */
export async function bytesOf(artifact: StoredArtifact | Promise<StoredArtifact>): Promise<Buffer> {
  return Buffer.from(await new Response((await artifact).body).arrayBuffer());
}
