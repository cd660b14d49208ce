import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { signLinearDelivery, verifyLinearDelivery } from "./linear-signature";

const secret = "lin_wh_test_secret";

// Linear's documented example delivery, re-stamped to now (a signed body must be less than a minute old).
function delivery(at = Date.now()): string {
  const example = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../test/fixtures/linear/comment-create.docs.json"), "utf8"));
  return JSON.stringify({ ...example, webhookTimestamp: at });
}

describe("signLinearDelivery", () => {
  it("is the hex HMAC-SHA256 of the raw body", () => {
    // Computed independently: printf '%s' '{"a":1}' | openssl dgst -sha256 -hmac lin_wh_test_secret
    expect(signLinearDelivery(secret, '{"a":1}')).toBe("b5d3730440fb9489b4891fcdb1678eca7151e84e1e9e916360f4a7f431f91636");
  });
});

describe("verifyLinearDelivery", () => {
  it("accepts a body signed with the secret and answers its payload", () => {
    const body = delivery();
    const result = verifyLinearDelivery(secret, body, signLinearDelivery(secret, body));
    expect(result).toEqual({ ok: true, payload: JSON.parse(body) });
  });

  it("refuses a delivery without a signature", () => {
    expect(verifyLinearDelivery(secret, delivery(), null)).toEqual({
      ok: false,
      reason: "missing signature: the delivery has no Linear-Signature header",
    });
  });

  it("refuses a signature made with another secret", () => {
    const body = delivery();
    const result = verifyLinearDelivery(secret, body, signLinearDelivery("another secret", body));
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^bad signature: .*signing secret/) });
  });

  it("refuses a body changed after signing", () => {
    const body = delivery();
    const result = verifyLinearDelivery(secret, body.replace("Indeed", "Surely"), signLinearDelivery(secret, body));
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^bad signature/) });
  });

  it("refuses a validly signed delivery more than a minute old", () => {
    const body = delivery(Date.now() - 5 * 60_000);
    const result = verifyLinearDelivery(secret, body, signLinearDelivery(secret, body));
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^stale: the delivery's webhookTimestamp is more than a minute old \(300 s\)/) });
  });

  it("refuses the documented example as it stands: its timestamp is from 2023", () => {
    const body = readFileSync(path.join(import.meta.dirname, "../../test/fixtures/linear/comment-create.docs.json"), "utf8");
    expect(verifyLinearDelivery(secret, body, signLinearDelivery(secret, body))).toMatchObject({ ok: false, reason: expect.stringMatching(/^stale/) });
  });

  it("refuses a signed body without a timestamp", () => {
    const body = JSON.stringify({ action: "create", type: "Comment", data: {} });
    expect(verifyLinearDelivery(secret, body, signLinearDelivery(secret, body))).toMatchObject({ ok: false, reason: expect.stringMatching(/^no timestamp/) });
  });

  it("refuses a body that is not JSON", () => {
    expect(verifyLinearDelivery(secret, "not json", signLinearDelivery(secret, "not json"))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^not JSON/),
    });
  });

  it("refuses to check without a secret", () => {
    expect(verifyLinearDelivery("", delivery(), "abc")).toMatchObject({ ok: false, reason: expect.stringMatching(/^no signing secret/) });
  });
});
