import { scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dummyPasswordHash, hashPassword, needsRehash, SCRYPT_PARAMS, Semaphore, verifyPassword } from "./password";

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterY", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("stores scrypt$N$r$p$salt$hash", async () => {
    const hash = await hashPassword("pw-0123456789");
    const parts = hash.split("$");
    expect(parts).toHaveLength(6);
    expect(parts[0]).toBe("scrypt");
    // OWASP: scrypt N = 2^17, r = 8, p = 1.
    expect(parts.slice(1, 4).map(Number)).toEqual([2 ** 17, 8, 1]);
    expect(Buffer.from(parts[4]!, "base64")).toHaveLength(16);
    expect(Buffer.from(parts[5]!, "base64")).toHaveLength(64);
    expect(hash).not.toContain("pw-0123456789");
  });

  it("salts: two hashes of the same password differ and both verify", async () => {
    const [a, b] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password", a)).toBe(true);
    expect(await verifyPassword("same password", b)).toBe(true);
  });

  it("verifies with the parameters stored in the hash", async () => {
    const hash = await hashPassword("pw-params-0123");
    const [, , r, p, salt, key] = hash.split("$");
    // Changing N changes the derived key, so verification must fail rather than ignore the stored N.
    expect(await verifyPassword("pw-params-0123", ["scrypt", 2 ** 14, r, p, salt, key].join("$"))).toBe(false);
  });

  it.each([
    "",
    "plain",
    "bcrypt$2b$10$abc",
    "scrypt$32768$8$1$c2FsdA==",
    "scrypt$$8$1$c2FsdA==$a2V5",
    "argon2$32768$8$1$c2FsdA==$a2V5",
    "scrypt$abc$8$1$c2FsdA==$a2V5",
    "scrypt$3$8$1$c2FsdA==$a2V5",
    "scrypt$1099511627776$8$1$c2FsdA==$a2V5",
    "scrypt$32768$0$1$c2FsdA==$a2V5",
  ])("returns false for the malformed stored hash %j", async (stored) => {
    expect(await verifyPassword("anything", stored)).toBe(false);
  });

  it("returns false when the stored key has the wrong length", async () => {
    const hash = await hashPassword("pw-length-0123");
    const parts = hash.split("$");
    parts[5] = Buffer.alloc(32).toString("base64");
    expect(await verifyPassword("pw-length-0123", parts.join("$"))).toBe(false);
  });

  it("dummyPasswordHash is a valid hash that nothing obvious matches, computed once", async () => {
    const first = await dummyPasswordHash();
    expect(first.startsWith("scrypt$")).toBe(true);
    expect(await dummyPasswordHash()).toBe(first);
    expect(await verifyPassword("", first)).toBe(false);
  });

  it("verifies a hash made with older, weaker parameters and asks for a rehash", async () => {
    const hash = await hashPassword("pw-old-params-0123");
    expect(needsRehash(hash)).toBe(false);
    // An N = 2^15 hash as stored before the parameters were raised.
    const salt = Buffer.from("0123456789abcdef");
    const key = scryptSync("pw-old-params-0123", salt, 64, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const old = ["scrypt", 2 ** 15, 8, 1, salt.toString("base64"), key.toString("base64")].join("$");
    expect(await verifyPassword("pw-old-params-0123", old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(`scrypt$${SCRYPT_PARAMS.N}$4$1$c2FsdA==$a2V5`)).toBe(true);
  });
});

describe("Semaphore", () => {
  it("runs at most `limit` tasks at once, queues up to `maxWaiting` and refuses the rest as busy", async () => {
    const semaphore = new Semaphore(2, 1);
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      semaphore.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
      });
    const started = [task(), task(), task()];
    await expect(task()).rejects.toMatchObject({ code: "rate_limited", userMessage: expect.stringMatching(/busy/) });
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(2);
    releases.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(2);
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(started);
    expect(peak).toBe(2);
    // Every slot is free again.
    const again = [task(), task()];
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(2);
    for (const release of releases.splice(0)) release();
    await Promise.all(again);
  });
});
