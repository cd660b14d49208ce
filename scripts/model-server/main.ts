// CLI: tsx scripts/model-server/main.ts [--port 4010] [--host 127.0.0.1]
import { startModelServer } from "./server";

const USAGE = "usage: tsx scripts/model-server/main.ts [--port 4010] [--host 127.0.0.1]";

function parseArgs(argv: string[]): { port: number; host: string } {
  let port = 4010;
  let host = "127.0.0.1";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    if (flag !== "--port" && flag !== "--host") throw new Error(`unknown argument ${arg}\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === "") throw new Error(`${flag} needs a value\n${USAGE}`);
    if (flag === "--host") {
      host = value;
    } else {
      port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${value}`);
    }
  }
  return { port, host };
}

async function main(): Promise<void> {
  const server = await startModelServer(parseArgs(process.argv.slice(2)));
  console.log(`model server listening on ${server.url}`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    // A second signal means "now": don't wait for close() again.
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`model server: ${signal}, shutting down`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
