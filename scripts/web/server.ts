// The production web server (npm start, e2e): Next's request handler behind a plain Node HTTP server, for
// one thing `next start` cannot do: tell the app each connection's address. The address goes into a
// header with a random name chosen here and handed to the app as PATCHBAY_PEER_ADDRESS_HEADER, so no
// client can send it; lib/auth/client-address.ts explains why X-Forwarded-For cannot serve.
// Usage: tsx scripts/web/server.ts [--port 3000] [--host 127.0.0.1]
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import next from "next";
import { envNamesFor, loadDotenvInto } from "@/lib/env";

const { values } = parseArgs({ options: { port: { type: "string", default: "3000" }, host: { type: "string", default: "127.0.0.1" } } });
const port = Number(values.port);
const host = values.host;
const header = `x-patchbay-peer-${randomBytes(12).toString("hex")}`;
// Before Next loads the app: lib/env.ts reads both when the app first parses its environment.
Object.assign(process.env, { NODE_ENV: "production", PATCHBAY_PEER_ADDRESS_HEADER: header });
// Next.js would load every variable of .env into this process, the model key included. Load only the
// web's own variables, then tell Next the environment is already processed (the flag @next/env checks;
// lib/env.next-env.test.ts fails if a Next.js upgrade stops honouring it).
loadDotenvInto(process.env, path.resolve(import.meta.dirname, "../../.env"), envNamesFor("web"));
process.env.__NEXT_PROCESSED_ENV = "true";

const app = next({ dev: false, dir: path.resolve(import.meta.dirname, "../.."), hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((request, response) => {
  // Set from the socket on every request, replacing anything a client might have guessed.
  request.headers[header] = request.socket.remoteAddress ?? "";
  void handle(request, response);
});
server.listen(port, host, () => console.log(`web: listening on http://${host.includes(":") ? `[${host}]` : host}:${port}`));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    // Open keep-alive and event-stream connections would hold close() forever.
    server.closeAllConnections();
  });
}
