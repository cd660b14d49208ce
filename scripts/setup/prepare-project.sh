#!/usr/bin/env bash
# prepare-project.sh — everything `npm start` and `npm test` need before they run anything:
# system packages, services, node_modules, the Prisma client and the sandbox image. Each step is
# skipped when it is already up to date, so a second run takes seconds.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

bash scripts/setup/ensure-system.sh
bash scripts/setup/start-services.sh

# npm ci only when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "prepare: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -f lib/generated/prisma/client.ts ] || [ prisma/schema.prisma -nt lib/generated/prisma/client.ts ]; then
  npm run --silent db:generate >/dev/null
fi

bash scripts/setup/build-sandbox-image.sh
