#!/usr/bin/env bash
# npm test — every test, from a fresh clone: installs and starts the services it needs, then runs the
# unit tests, the integration tests (real PostgreSQL, Redis, Docker, the scripted model server) and the
# end-to-end tests (Playwright driving Debian's Chromium against a production build).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
mkdir -p .data

bash scripts/setup/prepare-project.sh
npx tsc --noEmit
npx biome ci .
npx vitest run --project unit
# The production web build is served by the crash matrix (integration) and the end-to-end tests.
bash scripts/setup/build-web.sh
npx vitest run --project integration
npx playwright test
