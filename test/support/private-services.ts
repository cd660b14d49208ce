// A PostgreSQL and a Redis of a test's own, on free ports under a temporary directory, that the test may
// kill -9 and start again (crash recovery) without touching the shared test services other files use.
// Both run with the settings `npm start` gives its own (scripts/setup/start-services.sh).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import { waitFor } from "./wait-for";

export type PrivateServer = {
  readonly url: string;
  /** SIGKILL to the server and every process it started, as a crash would; resolves once all are gone. */
  crash(): Promise<void>;
  /** Starts it again on the same port and data, and resolves once it answers. */
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  destroy(): Promise<void>;
};

const PG_BIN = "/usr/lib/postgresql/15/bin";
const POSTGRES_USER = "postgres";

/** A port nothing listens on right now (for a server the test starts next). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** PostgreSQL refuses to run as root: as root, its processes run as the system's postgres user. */
function asDatabaseUser(argv: string[]): string[] {
  return process.getuid?.() === 0 ? ["setpriv", `--reuid=${POSTGRES_USER}`, `--regid=${POSTGRES_USER}`, "--init-groups", "--", ...argv] : argv;
}

function processGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function managedServer(name: string, url: string, command: () => string[], answers: () => Promise<boolean>, cleanup: () => void): PrivateServer {
  let child: ChildProcess | undefined;
  let log = "";
  const crash = async () => {
    const pid = child?.pid;
    if (!pid) return;
    process.kill(-pid, "SIGKILL");
    await waitFor(`${name} to be gone after SIGKILL`, async () => !processGroupAlive(pid), 30_000);
    child = undefined;
  };
  const start = async () => {
    const [file, ...args] = command();
    // Own process group: a crash kills the server and everything it forked, nothing else.
    const started = spawn(file as string, args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    log = "";
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    };
    started.stdout?.on("data", keep);
    started.stderr?.on("data", keep);
    await waitFor(
      `${name} to answer`,
      async () => {
        if (started.exitCode !== null) throw new Error(`${name} exited with ${started.exitCode}:\n${log}`);
        return answers();
      },
      60_000,
      100,
    );
  };
  return {
    url,
    crash,
    start,
    destroy: async () => {
      await crash();
      cleanup();
    },
  };
}

export async function startPrivateRedis(): Promise<PrivateServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "patchbay-redis-"));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const server = managedServer(
    "Redis",
    url,
    () => ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--maxmemory-policy", "noeviction", "--appendonly", "yes", "--dir", dir],
    async () => {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on("error", () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === "PONG";
      } catch {
        return false;
      } finally {
        client.disconnect();
      }
    },
    () => rmSync(dir, { recursive: true, force: true }),
  );
  await server.start();
  return server;
}

/** A fresh cluster (initdb) with a `patchbay` superuser and database; trust authentication on 127.0.0.1. */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "patchbay-postgres-"));
  const dataDir = path.join(dir, "data");
  const socketDir = path.join(dir, "socket");
  mkdirSync(socketDir);
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync("id", ["-u", POSTGRES_USER], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", POSTGRES_USER], { encoding: "utf8" }).stdout.trim());
    chownSync(dir, uid, gid);
    chownSync(socketDir, uid, gid);
  }
  const [initdb, ...initArgs] = asDatabaseUser([`${PG_BIN}/initdb`, "-D", dataDir, "-U", "patchbay", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  const init = spawnSync(initdb as string, initArgs, { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const url = `postgresql://patchbay@127.0.0.1:${port}/patchbay_crash`;
  const adminUrl = `postgresql://patchbay@127.0.0.1:${port}/postgres`;
  const server = managedServer(
    "PostgreSQL",
    url,
    () =>
      asDatabaseUser([
        `${PG_BIN}/postgres`,
        "-D",
        dataDir,
        "-p",
        String(port),
        "-k",
        socketDir,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "max_connections=200",
      ]),
    async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      client.on("error", () => undefined);
      try {
        await client.connect();
        await client.query("SELECT 1");
        return true;
      } catch {
        return false;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    () => rmSync(dir, { recursive: true, force: true }),
  );
  await server.start();
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query("CREATE DATABASE patchbay_crash");
  await client.end();
  return server;
}
