import { readPagePicture } from "@/lib/copy/page-pictures";
import { apiRoute } from "@/lib/http/api-route";

// A picture of a page for copy mode. Served as a download-safe image, never as HTML.
export const GET = apiRoute<{ environmentId: string; artifactId: string }>(async ({ user, params }) => {
  const picture = await readPagePicture(user.id, params.environmentId, params.artifactId);
  return new Response(new Uint8Array(picture.bytes), {
    headers: {
      "content-type": picture.contentType,
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'",
      "cache-control": "private, max-age=31536000, immutable",
    },
  });
});
