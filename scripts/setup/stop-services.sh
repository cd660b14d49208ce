#!/usr/bin/env bash
# stop-services.sh FILE — stops the services listed in FILE (written by start-services.sh when
# PATCHBAY_STARTED_SERVICES_FILE is set), newest first, then removes FILE. Services that were already
# running before Patchbay started are not in the file and keep running.
set -uo pipefail
file=${1:?usage: stop-services.sh FILE}
[ -f "$file" ] || exit 0
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)

tac "$file" | while read -r kind a b; do
  case "$kind" in
    docker)
      # Our sandboxes were removed by the worker already; the engine gets time to stop cleanly.
      "${SUDO[@]}" kill -TERM "$a" 2>/dev/null && for _ in $(seq 1 50); do kill -0 "$a" 2>/dev/null || break; sleep 0.2; done
      echo "stop-services: stopped dockerd" ;;
    redis)
      redis-cli -h 127.0.0.1 -p 6379 shutdown >/dev/null 2>&1
      echo "stop-services: stopped redis-server" ;;
    postgres)
      "${SUDO[@]}" pg_ctlcluster "$a" "$b" stop >/dev/null 2>&1
      echo "stop-services: stopped PostgreSQL $a/$b" ;;
  esac
done
rm -f "$file"
