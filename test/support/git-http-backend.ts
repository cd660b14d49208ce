// Answers one request of git's smart HTTP protocol with `git http-backend` (part of git) as a CGI, for
// tests that need a real git HTTP remote on 127.0.0.1 (local development mode allows plain http there).
import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { minimalEnv } from "@/worker/repos/git";

/** Serves `root`'s repositories (bare, or a work tree's `.git`) at their path under `root`. */
export function serveGitRequest(root: string, req: IncomingMessage, res: ServerResponse, remoteUser = "patchbay"): void {
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
      REMOTE_USER: remoteUser,
      REMOTE_ADDR: "127.0.0.1",
    }),
  });
  req.pipe(cgi.stdin);
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
