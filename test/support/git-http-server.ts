// A real git remote over the smart HTTP protocol: `git http-backend` (git's own CGI program) behind a small
// Node server with basic auth, so pushes and fetches go through the same wire protocol as on a forge.
// `handle` lets a forge imitation serve its API and its repositories from one address.
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type GitHttpServer = {
  url: string;
  /** Serves a git request under `/git/`; false when the path is not a git one. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  close(): Promise<void>;
};

export type GitHttpOptions = {
  /** Directory holding the bare repositories, served as /git/<name>.git. */
  projectRoot: string;
  username: string;
  /** The password, or a check of the one given (a forge whose tokens are minted while it runs). */
  password: string | ((given: string) => boolean);
};

export function gitHttpHandler(options: GitHttpOptions) {
  const accepts = (header: string | undefined): boolean => {
    const decoded = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? "")?.[1];
    const [username, ...rest] = decoded ? Buffer.from(decoded, "base64").toString("utf8").split(":") : [];
    const given = rest.join(":");
    if (username !== options.username || !given) return false;
    return typeof options.password === "string" ? given === options.password : options.password(given);
  };
  return function handle(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith("/git/")) return false;
    if (!accepts(request.headers.authorization)) {
      response.writeHead(401, { "www-authenticate": 'Basic realm="git"' }).end("authentication required\n");
      return true;
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_PROJECT_ROOT: options.projectRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      // With REMOTE_USER set, http-backend allows receive-pack (pushes), as behind a real server's auth.
      REMOTE_USER: options.username,
      REQUEST_METHOD: request.method ?? "GET",
      PATH_INFO: decodeURIComponent(url.pathname.slice("/git".length)),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: request.headers["content-type"] ?? "",
      ...(request.headers["content-length"] ? { CONTENT_LENGTH: request.headers["content-length"] } : {}),
      ...(request.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: request.headers["content-encoding"] } : {}),
      ...(request.headers["git-protocol"] ? { GIT_PROTOCOL: String(request.headers["git-protocol"]) } : {}),
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
    };
    const cgi = spawn("git", ["http-backend"], { env: env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "inherit"] });
    request.pipe(cgi.stdin);
    let header = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        response.write(chunk);
        return;
      }
      header = Buffer.concat([header, chunk]);
      // CGI ends its headers with a blank line; git writes CRLF, the CGI spec allows bare LF.
      const crlf = header.indexOf("\r\n\r\n");
      const lf = header.indexOf("\n\n");
      const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
      const separator = end === crlf ? 4 : 2;
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of header.subarray(0, end).toString("latin1").split(/\r?\n/)) {
        const colon = line.indexOf(":");
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      response.writeHead(status, headers);
      response.write(header.subarray(end + separator));
    });
    cgi.on("close", () => {
      if (!headersDone) response.writeHead(500).end("git http-backend failed\n");
      else response.end();
    });
    return true;
  };
}

/** A server that is nothing but the git remote. */
export async function startGitHttpServer(options: GitHttpOptions): Promise<GitHttpServer> {
  const handle = gitHttpHandler(options);
  const server = createServer((request, response) => {
    if (!handle(request, response)) response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    handle,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
