#!/usr/bin/env bash
# The stack Playwright tests against (started by playwright.config.ts): scripted model server on 4011,
# a worker and the production web build on 3100, all on the test database and Redis db 2.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
eval "$(npx tsx e2e/print-env.ts)"
npx tsx e2e/reset-stack.ts

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' INT TERM EXIT
npx tsx scripts/model-server/main.ts --port 4011 &
pids+=($!)
npx tsx worker/index.ts &
pids+=($!)
npx next start -p 3100 -H 127.0.0.1 &
pids+=($!)
wait -n "${pids[@]}"
