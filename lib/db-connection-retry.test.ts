import net from "node:net";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { isRetryableConnectError, RetryingPool } from "./db-connection-retry";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("isRetryableConnectError", () => {
  it("retries a server that refuses, is unreachable, or is still starting up", () => {
    expect(isRetryableConnectError(withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"))).toBe(true);
    expect(isRetryableConnectError(withCode("getaddrinfo EAI_AGAIN postgres", "EAI_AGAIN"))).toBe(true);
    expect(isRetryableConnectError(withCode("the database system is starting up", "57P03"))).toBe(true);
    expect(isRetryableConnectError(new Error("Connection terminated unexpectedly"))).toBe(true);
  });

  it("does not retry what waiting cannot fix", () => {
    expect(isRetryableConnectError(withCode('password authentication failed for user "patchbay"', "28P01"))).toBe(false);
    expect(isRetryableConnectError(withCode('database "nope" does not exist', "3D000"))).toBe(false);
    expect(isRetryableConnectError(withCode("too many connections", "53300"))).toBe(false);
    expect(isRetryableConnectError("ECONNREFUSED")).toBe(false);
  });
});

describe("RetryingPool", () => {
  it("keeps trying to connect within its window, then gives the caller the error", async () => {
    // A port nobody listens on: every try is refused.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    // Counts the tries of the plain pg pool underneath.
    let tries = 0;
    const plainConnect = pg.Pool.prototype.connect;
    pg.Pool.prototype.connect = function (this: pg.Pool) {
      tries++;
      return Reflect.apply(plainConnect, this, []);
    } as typeof plainConnect;
    const pool = new RetryingPool({ host: "127.0.0.1", port, user: "x", database: "x" }, 700);
    try {
      await expect(pool.query("SELECT 1")).rejects.toMatchObject({ code: "ECONNREFUSED" });
      expect(tries).toBeGreaterThan(1);
    } finally {
      pg.Pool.prototype.connect = plainConnect;
      await pool.end();
    }
  });
});
