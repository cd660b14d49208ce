// Answers one request of git's smart HTTP protocol with `git http-backend` (part of git) as a CGI, for
// tests that need a real git HTTP remote on 127.0.0.1 (local development mode allows plain http there).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { minimalEnv } from "@/worker/repos/git";

/**
 * Serves `root`'s repositories (bare, or a work tree's `.git`) at their path under `root`. `body`: the
 * request's body when the caller already read it; otherwise it is streamed from the request.
 */
export function serveGitRequest(root: string, req: IncomingMessage, res: ServerResponse, body?: Buffer): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  const cgi = spawn("git", ["http-backend"], {
    env: minimalEnv({
      PATH: "/usr/local/bin:/usr/bin:/bin",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: url.pathname,
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      REMOTE_USER: "patchbay",
      REMOTE_ADDR: "127.0.0.1",
    }),
  });
  if (body) cgi.stdin.end(body);
  else req.pipe(cgi.stdin);
  // The client went away (or its process was killed): stop the backend too.
  res.on("close", () => {
    if (!res.writableFinished) cgi.kill("SIGKILL");
  });
  cgi.stdin.on("error", () => undefined);
  let head = Buffer.alloc(0);
  let started = false;
  cgi.stdout.on("data", (chunk: Buffer) => {
    if (started) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    started = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
      const at = line.indexOf(":");
      const name = line.slice(0, at).trim();
      const value = line.slice(at + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  cgi.stdout.on("end", () => res.end());
}

/** Which requests a held remote holds: every one, or only those that fetch objects (not the ref listing). */
export type HoldMode = "all" | "fetch";

/**
 * A git HTTP remote (a bare clone of `repoDir`) whose requests wait while it is held: a repository fetch
 * that stands still until the test releases it. `hold: "fetch"` lets the ref listing through and holds the
 * object transfer (protocol v2 `command=fetch`; v0 `git-upload-pack` POSTs).
 */
export type HeldRemote = { url: string; bareDir: string; waiting(): number; release(): void; hold(): void; close(): Promise<void> };

export async function startHeldRemote(repoDir: string, mode: HoldMode = "all"): Promise<HeldRemote> {
  const root = mkdtempSync(path.join(tmpdir(), "patchbay-held-remote-"));
  const bareDir = path.join(root, "repo.git");
  execFileSync("git", ["clone", "-q", "--bare", repoDir, bareDir]);
  let held = true;
  const queue: { res: ServerResponse; run: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const run = () => serveGitRequest(root, req, res, body);
      const holds = mode === "all" || (req.method === "POST" && (body.includes("command=fetch") || !body.includes("command=")));
      if (held && holds) queue.push({ res, run });
      else run();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo.git`,
    bareDir,
    // Requests whose client is gone (a killed git) no longer count.
    waiting: () => queue.filter((entry) => !entry.res.destroyed).length,
    release: () => {
      held = false;
      for (const entry of queue.splice(0)) if (!entry.res.destroyed) entry.run();
    },
    hold: () => {
      held = true;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
