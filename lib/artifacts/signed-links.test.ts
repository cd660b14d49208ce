import { describe, expect, it } from "vitest";
import { checkArtifactLink, signedArtifactPath } from "./signed-links";

const KEY = Buffer.alloc(32, 3).toString("base64");

function parts(path: string) {
  const url = new URL(path, "https://patchbay.example.com");
  return {
    id: decodeURIComponent(url.pathname.split("/").at(-1) ?? ""),
    expires: url.searchParams.get("expires"),
    signature: url.searchParams.get("signature"),
  };
}

describe("signed artifact links", () => {
  it("opens the one artifact it was made for, until it expires", () => {
    const now = Date.UTC(2026, 11, 2);
    const link = parts(signedArtifactPath(KEY, "art1", new Date(now + 60_000)));
    expect(link.id).toBe("art1");
    expect(checkArtifactLink(KEY, "art1", link.expires, link.signature, now)).toBe("valid");
    expect(checkArtifactLink(KEY, "art1", link.expires, link.signature, now + 61_000)).toBe("expired");
    expect(checkArtifactLink(KEY, "art2", link.expires, link.signature, now)).toBe("invalid");
    expect(checkArtifactLink(KEY, "art1", String(Number(link.expires) + 3600), link.signature, now)).toBe("invalid");
    expect(checkArtifactLink(Buffer.alloc(32, 4).toString("base64"), "art1", link.expires, link.signature, now)).toBe("invalid");
    expect(checkArtifactLink(KEY, "art1", null, link.signature, now)).toBe("invalid");
    expect(checkArtifactLink(KEY, "art1", "1e9", link.signature, now)).toBe("invalid");
    expect(checkArtifactLink(KEY, "art1", link.expires, "short", now)).toBe("invalid");
  });
});
