# supervise.sh — sourced by start.sh and e2e/serve.sh: runs long-lived processes and stops all of them
# when the script exits, is interrupted, or when any one of them exits. With `set -m` (start.sh) each
# runs in its own process group and the whole group is stopped, children included (tsx's node,
# next's server). Without it (e2e/serve.sh) they share the script's group, which Playwright kills.
supervised=()

supervise() {
  "$@" &
  supervised+=($!)
}

stop_supervised() {
  trap - INT TERM EXIT
  local pid
  for pid in "${supervised[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# Blocks until the first supervised process exits, then stops the rest and returns its status.
wait_supervised() {
  trap stop_supervised INT TERM EXIT
  local status=0
  wait -n "${supervised[@]}" || status=$?
  stop_supervised
  return "$status"
}
