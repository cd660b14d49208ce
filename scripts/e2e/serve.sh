#!/usr/bin/env bash
# The stack Playwright tests against (started by playwright.config.ts): scripted model server on 4011,
# a worker and the production web build on 3100, all on the test database and Redis db 2.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
eval "$(npx tsx e2e/print-env.ts)"
npx tsx e2e/reset-stack.ts

# shellcheck source=scripts/setup/supervise.sh
source scripts/setup/supervise.sh
bin=node_modules/.bin
supervise "$bin/tsx" scripts/model-server/main.ts --port 4011
supervise "$bin/tsx" worker/index.ts
supervise "$bin/tsx" scripts/web/server.ts --port 3100 --host 127.0.0.1
wait_supervised
