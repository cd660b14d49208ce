#!/usr/bin/env bash
# sandbox-tools.sh — print the sandbox image's tool versions as one line of JSON, e.g.
#   {"node":"20.19.2","node22":"22.23.5","npm":"10.9.9",...,"squid":"6.13"}
# Run by docker/sandbox.Dockerfile at build time (the result is /etc/patchbay/tools.json and the image
# label patchbay.tools); also kept in the image as /usr/local/lib/patchbay/sandbox-tools.sh. Every
# tool is actually run (offline: corepack must not download), so a tool that is missing or broken
# fails the build instead of the first task that needs it. Values are versions only ("1.2.3").
set -euo pipefail
export COREPACK_ENABLE_NETWORK=0 COREPACK_ENABLE_DOWNLOAD_PROMPT=0

json=""
# tool KEY COMMAND... → adds "KEY":"<first dotted number in the command's output>"
tool() {
  local key=$1 out version
  shift
  if ! out=$(cd /tmp && "$@" </dev/null 2>&1); then
    printf 'sandbox-tools: `%s` failed:\n%s\n' "$*" "$out" >&2
    exit 1
  fi
  version=$(printf '%s\n' "$out" | grep -m 1 -oE '[0-9]+(\.[0-9]+)+' | head -n 1 || true)
  if [ -z "$version" ]; then
    printf 'sandbox-tools: no version in the output of `%s`:\n%s\n' "$*" "$out" >&2
    exit 1
  fi
  json+="${json:+,}\"$key\":\"$version\""
}

# The defaults on PATH are Node.js 20 (Debian's); /opt/node-22/bin first in PATH selects 22.
tool node node --version
tool node22 /opt/node-22/bin/node --version
tool npm npm --version
tool npm22 /opt/node-22/bin/npm --version
tool corepack corepack --version
tool pnpm pnpm --version
tool yarn yarn --version
tool python python3 --version
tool pip python3 -m pip --version
tool go go env GOVERSION
tool rustc rustc --version
tool cargo cargo --version
tool java java -version
tool gcc gcc -dumpfullversion
tool git git --version
tool squid squid -v

# Each version's bin directory works on its own, with its own node.
for v in 20 22; do
  for cmd in node npm npx corepack node-gyp pnpm yarn yarnpkg; do
    out=$(cd /tmp && "/opt/node-$v/bin/$cmd" --version </dev/null 2>&1) || {
      printf 'sandbox-tools: /opt/node-%s/bin/%s failed:\n%s\n' "$v" "$cmd" "$out" >&2
      exit 1
    }
  done
  # npm (and the scripts it runs) must find the same node through PATH.
  out=$(cd /tmp && PATH="/opt/node-$v/bin:$PATH" npm exec --offline -c 'node --version' </dev/null 2>&1) || true
  case $out in
    "v$v."*) ;;
    *) printf 'sandbox-tools: PATH=/opt/node-%s/bin:... runs node %s\n' "$v" "$out" >&2; exit 1 ;;
  esac
done

# The worker runs commands in login shells (bash -lc) and selects Node.js 22 by PATH: /etc/profile
# must keep the container's PATH.
out=$(cd /tmp && PATH="/opt/node-22/bin:$PATH" bash -lc 'node --version; command -v squid' </dev/null 2>&1) || true
case $out in
  v22.*/usr/sbin/squid) ;;
  *) printf 'sandbox-tools: a login shell does not keep PATH:\n%s\n' "$out" >&2; exit 1 ;;
esac

printf '{%s}\n' "$json"
