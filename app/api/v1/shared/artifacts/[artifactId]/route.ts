import type { NextRequest } from "next/server";
import { readSharedArtifact } from "@/lib/artifacts/artifact-queries";
import { artifactResponse } from "@/lib/artifacts/artifact-response";
import { checkArtifactLink } from "@/lib/artifacts/signed-links";
import { sharedEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http/api-route";
import { isPlausibleId } from "@/lib/http/plausible-id";

// A screenshot by signed link, without signing in: what a pull request's body shows. A wrong or altered
// link is a plain 404 (nothing says whether the picture exists); an expired one says so.
export async function GET(request: NextRequest, context: { params: Promise<{ artifactId: string }> }): Promise<Response> {
  try {
    const { artifactId } = await context.params;
    if (!isPlausibleId(artifactId)) throw new AppError("not_found", "Not found.");
    const query = request.nextUrl.searchParams;
    const check = checkArtifactLink(sharedEnv().PATCHBAY_SECRETS_KEY, artifactId, query.get("expires"), query.get("signature"));
    if (check === "invalid") throw new AppError("not_found", "Not found.");
    if (check === "expired")
      throw new AppError("gone", "This screenshot link has expired. Open the task in Patchbay, or publish its pull request again for fresh links.");
    const artifact = await readSharedArtifact(artifactId);
    return artifactResponse(artifact, "private, max-age=3600");
  } catch (error) {
    return errorResponse(error);
  }
}
