#!/usr/bin/env bash
# build-web.sh — `next build`, only when the sources changed since the last build (a content hash of
# everything the web bundle is made from is kept next to the build).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

inputs=()
for path in app components lib proxy.ts next.config.ts tsconfig.json package-lock.json; do
  [ -e "$path" ] && inputs+=("$path")
done
hash=$(find "${inputs[@]}" -type f -not -path 'lib/generated/*' -not -name '*.test.ts' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
if [ -f .next/BUILD_ID ] && [ "$(cat .next/patchbay-source-hash 2>/dev/null)" = "$hash" ]; then
  exit 0
fi
echo "build-web: building the web app (next build, about a minute)"
mkdir -p .data
npx next build >.data/next-build.log 2>&1 || { tail -40 .data/next-build.log; echo "build-web: next build failed (full log: .data/next-build.log)" >&2; exit 1; }
echo "$hash" >.next/patchbay-source-hash
