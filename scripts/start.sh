#!/usr/bin/env bash
# npm start — installs and starts what Patchbay needs on this machine (PostgreSQL, Redis, Docker, the
# sandbox image, npm packages), applies migrations, builds the web app when it changed, then runs the
# web app on http://localhost:3000 (listening on 127.0.0.1 unless PATCHBAY_HOST says otherwise) and a worker.
# While nobody has an account, it prints a one-time setup code for the first-run form. Ctrl-C stops what it started: the web app, the worker,
# and any of PostgreSQL, Redis and dockerd that were not running before.
#
# PATCHBAY_DEMO_MODEL=1 with no OPENAI_API_KEY: also runs the scripted demo model (offline, no LLM),
# so a task produces a small demo change end to end.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
mkdir -p .data

# Services this run starts are recorded here and stopped again on exit (see stop-services.sh).
export PATCHBAY_STARTED_SERVICES_FILE="$ROOT/.data/started-services.$$"
trap 'bash scripts/setup/stop-services.sh "$PATCHBAY_STARTED_SERVICES_FILE"' EXIT
bash scripts/setup/prepare-project.sh

random_key() { node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))'; }
if [ ! -f .env ]; then
  sed -e "s|^NEXTAUTH_SECRET=.*|NEXTAUTH_SECRET=$(random_key)|" -e "s|^PATCHBAY_SECRETS_KEY=.*|PATCHBAY_SECRETS_KEY=$(random_key)|" .env.example >.env
  chmod 600 .env
  echo "start: wrote .env with a new NEXTAUTH_SECRET and PATCHBAY_SECRETS_KEY (edit it to configure a model, GitHub sign-in, ...)"
elif ! grep -qE '^PATCHBAY_SECRETS_KEY=.+' .env; then
  # Installs from before environment secrets existed get a key too; an empty line is replaced.
  sed -i '/^PATCHBAY_SECRETS_KEY=$/d' .env
  printf '\n# Seals environment secrets (see .env.example).\nPATCHBAY_SECRETS_KEY=%s\n' "$(random_key)" >>.env
  echo "start: added PATCHBAY_SECRETS_KEY to .env"
fi

npm run --silent patchbay -- setup
bash scripts/setup/build-web.sh

# Read the few settings this script itself needs from .env (the processes parse it in lib/env.ts).
env_value() { grep -E "^$1=" .env | tail -1 | cut -d= -f2- || true; }
port=${PORT:-3000}
host=${PATCHBAY_HOST:-$(env_value PATCHBAY_HOST)}
host=${host:-127.0.0.1}
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "start: port $port is already in use (another Patchbay?). Stop that process, or run PORT=3001 npm start." >&2
  exit 1
fi

# Job control: each process gets its own process group, so stopping one stops its children too.
set -m
# shellcheck source=scripts/setup/supervise.sh
source scripts/setup/supervise.sh
bin=node_modules/.bin

if [ -z "$(env_value OPENAI_API_KEY)" ] && [ "${PATCHBAY_DEMO_MODEL:-}" = "1" ]; then
  echo "start: no OPENAI_API_KEY; using the scripted demo model on 127.0.0.1:4010 (not a real LLM)"
  supervise "$bin/tsx" scripts/model-server/main.ts --port 4010
  export OPENAI_API_KEY=patchbay-demo-model-key OPENAI_BASE_URL=http://127.0.0.1:4010/v1 PATCHBAY_MODEL=scripted
fi

# Stored (as a hash) before the web app starts; printed last so it is not lost in the start-up output.
first_run=$("$bin/tsx" scripts/setup/first-run-code.ts "http://localhost:$port/login")
# Each process reads only its own variables from .env (lib/env.ts); these drop the other's secrets when
# they were exported in the shell that runs npm start.
supervise env -u NEXTAUTH_SECRET -u PATCHBAY_ADMIN_PASSWORD -u GITHUB_SECRET "$bin/tsx" worker/index.ts
# Not `next start`: scripts/web/server.ts also tells the app each connection's address (sign-in throttling)
# and keeps Next.js from loading all of .env.
supervise env -u OPENAI_API_KEY "$bin/tsx" scripts/web/server.ts --port "$port" --host "$host"
echo "start: Patchbay is starting on http://localhost:$port, listening on $host (Ctrl-C to stop)"
if [ -n "$first_run" ]; then echo "start: $first_run"; fi
# Everything stops when any one process exits, so a crash is never half-hidden.
status=0
wait_supervised || status=$?
echo "start: stopped (a Patchbay process exited with status $status, or Ctrl-C)" >&2
bash scripts/setup/stop-services.sh "$PATCHBAY_STARTED_SERVICES_FILE"
exit "$status"
