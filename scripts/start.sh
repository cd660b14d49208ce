#!/usr/bin/env bash
# npm start — installs and starts what Patchbay needs on this machine (PostgreSQL, Redis, Docker, the
# sandbox image, npm packages), applies migrations, builds the web app when it changed, then runs the
# web app on http://localhost:3000 and a worker. Ctrl-C stops the processes it started (services such
# as PostgreSQL keep running for the next start).
#
# PATCHBAY_DEMO_MODEL=1 with no OPENAI_API_KEY: also runs the scripted demo model (offline, no LLM),
# so a task produces a small demo change end to end.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
mkdir -p .data

bash scripts/setup/prepare-project.sh

if [ ! -f .env ]; then
  secret=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')
  sed "s|^NEXTAUTH_SECRET=.*|NEXTAUTH_SECRET=$secret|" .env.example >.env
  chmod 600 .env
  echo "start: wrote .env with a new NEXTAUTH_SECRET (edit it to configure a model, GitHub sign-in, ...)"
fi

npm run --silent patchbay -- setup
bash scripts/setup/build-web.sh

# Read the few settings this script itself needs from .env (the processes parse it in lib/env.ts).
env_value() { grep -E "^$1=" .env | tail -1 | cut -d= -f2- || true; }
pids=()
cleanup() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

if [ -z "$(env_value OPENAI_API_KEY)" ] && [ "${PATCHBAY_DEMO_MODEL:-}" = "1" ]; then
  echo "start: no OPENAI_API_KEY; using the scripted demo model on 127.0.0.1:4010 (not a real LLM)"
  npx tsx scripts/model-server/main.ts --port 4010 &
  pids+=($!)
  export OPENAI_API_KEY=demo OPENAI_BASE_URL=http://127.0.0.1:4010/v1 PATCHBAY_MODEL=scripted
fi

npx tsx worker/index.ts &
pids+=($!)
npx next start -p "${PORT:-3000}" &
pids+=($!)
echo "start: Patchbay is starting on http://localhost:${PORT:-3000} (Ctrl-C to stop)"
# Stop everything when any one process exits, so a crash is never half-hidden.
wait -n "${pids[@]}"
echo "start: a Patchbay process exited; stopping the others" >&2
exit 1
