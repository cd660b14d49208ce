// A PostgreSQL restart (a crash, an upgrade, a failover) should cost a task a pause, not its result. The
// pool retries *opening* a connection while the server refuses or is still starting up: nothing was sent
// yet, so a retry can never run a statement twice. A connection that breaks mid-query still fails.
import pg from "pg";

/** How long a new connection is retried before the error goes to the caller. */
export const CONNECT_RETRY_WINDOW_MS = 30_000;

const RETRIED_NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND", "EPIPE"]);
// 57P03 cannot_connect_now: "the database system is starting up" / "is in recovery mode".
const RETRIED_SQLSTATES = new Set(["57P03"]);

export function isRetryableConnectError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (RETRIED_NETWORK_CODES.has(code) || RETRIED_SQLSTATES.has(code))) return true;
  // The server closed the socket during the handshake (it was shutting down).
  return /Connection terminated (unexpectedly|due to connection timeout)/.test(error.message);
}

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

export class RetryingPool extends pg.Pool {
  constructor(
    config: pg.PoolConfig,
    private readonly retryWindowMs = CONNECT_RETRY_WINDOW_MS,
  ) {
    super(config);
  }

  // pg-pool calls connect with a callback from query(), and callers await it without one: both go here.
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | undefined {
    const connected = this.connectWithRetry();
    if (!callback) return connected;
    connected.then(
      (client) => callback(undefined, client, (release) => client.release(release as Error | boolean | undefined)),
      (error: Error) => callback(error, undefined, () => undefined),
    );
    return undefined;
  }

  private async connectWithRetry(): Promise<pg.PoolClient> {
    const until = Date.now() + this.retryWindowMs;
    for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 2_000)) {
      try {
        return await super.connect();
      } catch (error) {
        if (!isRetryableConnectError(error) || Date.now() + delayMs > until || this.ending) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
