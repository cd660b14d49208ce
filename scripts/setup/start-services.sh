#!/usr/bin/env bash
# start-services.sh — make sure PostgreSQL 15, Redis and a Docker engine are answering on this machine.
#
# Patchbay's web app, worker and tests need real services on their default local addresses:
#   PostgreSQL  localhost:5432, role patchbay/patchbay, databases patchbay, patchbay_test and patchbay_e2e
#   Redis       127.0.0.1:6379 with maxmemory-policy noeviction (BullMQ requires it)
#   Docker      the engine socket (DOCKER_HOST or /var/run/docker.sock)
# Machines without an init system (CI runners, dev containers) start nothing on boot, so this script
# starts whatever does not answer, waits a bounded time for it, and says what to do when it fails.
#
# - Starts only what is not already answering; never stops or restarts anything, never starts a
#   second copy (a dockerd that is still starting up is waited for, not duplicated).
# - Redis and dockerd logs go to <repo>/.data/ (git-ignored). PostgreSQL logs to
#   /var/log/postgresql/postgresql-15-main.log as usual.
# - The patchbay role and databases are created when missing, also on a cluster that was already up.
# - Fast when everything runs (a few pings, ≈0.3 s).
#
# Environment overrides:
#   PATCHBAY_SKIP_SERVICES=1   skip everything (you run your own services, e.g. docker-compose)
#   PATCHBAY_SKIP_POSTGRES=1, PATCHBAY_SKIP_REDIS=1, PATCHBAY_SKIP_DOCKER=1   skip one of them
# Run scripts/setup/ensure-system.sh first on a fresh machine.
set -euo pipefail

log() { printf 'start-services: %s\n' "$*"; }
die() { printf 'start-services: error: %s\n' "$*" >&2; exit 1; }
is_on() { case "${1:-}" in 1 | true | yes) return 0 ;; *) return 1 ;; esac; }

if is_on "${PATCHBAY_SKIP_SERVICES:-}"; then
  log "PATCHBAY_SKIP_SERVICES is set; not starting anything"
  exit 0
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DATA="$ROOT/.data"
started=()

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 && SUDO=(sudo -n)
fi

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 not found; run scripts/setup/ensure-system.sh first${2:+ ($2)}"
}

# wait_for SECONDS CHECK_COMMAND... — polls every 0.2 s; returns 1 on timeout.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# ---------------------------------------------------------------- PostgreSQL 15
PG_VERSION=15 PG_CLUSTER=main PG_PORT=5432

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    sudo -n -u postgres "$@"
  fi
}

# With PATCHBAY_STARTED_SERVICES_FILE set (npm start does), each service this run started is appended
# there, so scripts/setup/stop-services.sh can stop exactly those when Patchbay stops.
record_started() {
  if [ -n "${PATCHBAY_STARTED_SERVICES_FILE:-}" ]; then printf '%s\n' "$1" >>"$PATCHBAY_STARTED_SERVICES_FILE"; fi
}

pg_answers() { pg_isready -q -h localhost -p "$PG_PORT" -t 2; }

patchbay_db_ready() {
  # Fast path: the role can log in with its password and both databases exist.
  local count
  count=$(PGPASSWORD=patchbay PGCONNECT_TIMEOUT=3 psql -X -q -t -A -h localhost -p "$PG_PORT" -U patchbay -d patchbay \
    -c "select count(*) from pg_database where datname in ('patchbay','patchbay_test','patchbay_e2e')" 2>/dev/null) || return 1
  [ "$count" = 3 ]
}

ensure_patchbay_db() {
  patchbay_db_ready && return 0
  local status
  status=$(pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" 2>/dev/null | awk '{print $4}')
  [[ "$status" == online* ]] || die "something answers on localhost:$PG_PORT but it is not this machine's PostgreSQL $PG_VERSION/$PG_CLUSTER cluster, and it has no 'patchbay' role with password 'patchbay' and databases patchbay, patchbay_test, patchbay_e2e; create them there, or stop it"
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres <<'SQL' >/dev/null || die "could not create the patchbay role/databases (see the psql error above)"
SELECT 'CREATE ROLE patchbay LOGIN CREATEDB PASSWORD ''patchbay'''
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'patchbay') \gexec
ALTER ROLE patchbay LOGIN PASSWORD 'patchbay';
SELECT 'CREATE DATABASE patchbay OWNER patchbay'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'patchbay') \gexec
SELECT 'CREATE DATABASE patchbay_test OWNER patchbay'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'patchbay_test') \gexec
SELECT 'CREATE DATABASE patchbay_e2e OWNER patchbay'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'patchbay_e2e') \gexec
SQL
  patchbay_db_ready || die "created the patchbay role and databases, but logging in as patchbay@localhost:$PG_PORT with a password fails; check pg_hba.conf (/etc/postgresql/$PG_VERSION/$PG_CLUSTER/pg_hba.conf) allows scram-sha-256 from 127.0.0.1/::1"
  log "created PostgreSQL role patchbay and databases patchbay, patchbay_test, patchbay_e2e"
}

start_postgres() {
  need pg_isready "package postgresql-client"
  need psql "package postgresql-client"
  if ! pg_answers; then
    need pg_ctlcluster "package postgresql-common"
    local line port status
    line=$(pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" 2>/dev/null || true)
    if [ -z "$line" ]; then
      # The package creates main on install; it is missing only if someone dropped it.
      "${SUDO[@]}" pg_createcluster "$PG_VERSION" "$PG_CLUSTER" --port "$PG_PORT" >/dev/null \
        || die "no PostgreSQL $PG_VERSION cluster '$PG_CLUSTER' and pg_createcluster failed; run: pg_createcluster $PG_VERSION $PG_CLUSTER --port $PG_PORT"
      line=$(pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER")
    fi
    port=$(awk '{print $3}' <<<"$line")
    status=$(awk '{print $4}' <<<"$line")
    [ "$port" = "$PG_PORT" ] || die "PostgreSQL $PG_VERSION/$PG_CLUSTER is configured for port $port, not $PG_PORT; run: pg_conftool $PG_VERSION $PG_CLUSTER set port $PG_PORT"
    if [[ "$status" != online* ]]; then
      "${SUDO[@]}" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start \
        || die "pg_ctlcluster $PG_VERSION $PG_CLUSTER start failed; see /var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log"
      started+=("postgresql-$PG_VERSION")
      record_started "postgres $PG_VERSION $PG_CLUSTER"
    fi
    wait_for 30 pg_answers \
      || die "PostgreSQL $PG_VERSION/$PG_CLUSTER did not accept connections on localhost:$PG_PORT within 30 s; see /var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log"
  fi
  ensure_patchbay_db
}

# ---------------------------------------------------------------- Redis
redis_reply() { redis-cli -h 127.0.0.1 -p 6379 "$@" 2>&1; }
redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }

start_redis() {
  need redis-cli "package redis-tools"
  if ! redis_answers; then
    local reply
    reply=$(redis_reply ping || true)
    case "$reply" in
      *NOAUTH* | *WRONGPASS* | *LOADING* | *MASTERDOWN*)
        die "a Redis on 127.0.0.1:6379 answers '$reply'; Patchbay expects an open local Redis (or set REDIS_URL and PATCHBAY_SKIP_REDIS=1)" ;;
    esac
    need redis-server "package redis-server"
    mkdir -p "$DATA/redis"
    # BullMQ loses jobs if Redis evicts keys or forgets them in a crash: never evict, and keep an
    # append-only file so queued work survives kill -9 (test/crash-matrix.int.test.ts runs the same flags).
    redis-server --daemonize yes --port 6379 --bind 127.0.0.1 --maxmemory-policy noeviction --appendonly yes \
      --dir "$DATA/redis" --logfile "$DATA/redis/redis.log" --pidfile "$DATA/redis/redis.pid" >/dev/null \
      || die "redis-server failed to start; see $DATA/redis/redis.log"
    wait_for 10 redis_answers \
      || die "Redis did not answer PING on 127.0.0.1:6379 within 10 s; see $DATA/redis/redis.log"
    started+=("redis-server (127.0.0.1:6379, log $DATA/redis/redis.log)")
    record_started "redis"
  else
    local policy
    policy=$(redis-cli -h 127.0.0.1 -p 6379 config get maxmemory-policy 2>/dev/null | tail -n 1 || true)
    if [ -n "$policy" ] && [ "$policy" != noeviction ]; then
      log "warning: the running Redis has maxmemory-policy '$policy'; BullMQ needs 'noeviction' (redis-cli config set maxmemory-policy noeviction)"
    fi
  fi
}

# ---------------------------------------------------------------- Docker engine
docker_answers() { docker info >/dev/null 2>&1; }

dockerd_running() {
  # A dockerd that is still starting (socket not up yet) must be waited for, not duplicated.
  local pid
  [ -r /var/run/docker.pid ] || return 1
  pid=$(cat /var/run/docker.pid 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]
}

start_docker() {
  need docker "package docker.io"
  docker_answers && return 0

  local err
  err=$(docker info 2>&1 >/dev/null || true)
  if [[ "$err" == *"permission denied"* ]]; then
    die "the Docker engine runs but $(id -un) may not use its socket; add the user to the docker group (usermod -aG docker $(id -un)) and log in again"
  fi
  if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != unix:///var/run/docker.sock ]; then
    die "DOCKER_HOST=$DOCKER_HOST does not answer (docker info: ${err##*$'\n'}); start that engine, or unset DOCKER_HOST to use a local dockerd"
  fi

  if ! dockerd_running; then
    need dockerd "package docker.io"
    [ "$(id -u)" -eq 0 ] || [ ${#SUDO[@]} -gt 0 ] || die "dockerd is not running and starting it needs root; run: sudo $0"
    # No init system mounted the cgroup hierarchy: dockerd cannot run containers without it.
    if ! mountpoint -q /sys/fs/cgroup 2>/dev/null && command -v cgroupfs-mount >/dev/null 2>&1; then
      "${SUDO[@]}" cgroupfs-mount || true
    fi
    mkdir -p "$DATA"
    # setsid: dockerd must outlive this script and the shell/CI step that ran it. Its configuration
    # (docker-daemon.json): root in a container is an unprivileged user on the host (userns-remap; dockerd
    # creates the dockremap user and its subordinate ids), no traffic between containers on the default
    # bridge, no-new-privileges for every container, bounded container logs, and address pools of /24
    # networks in Docker's usual 172.17-31 range (about 3,800 networks instead of about 30).
    local log_lines why
    log_lines=$(wc -l <"$DATA/dockerd.log" 2>/dev/null || echo 0)
    launch_dockerd "$ROOT/scripts/setup/docker-daemon.json"
    if ! wait_for 30 docker_up_or_exited || ! docker_answers; then
      why=$(tail -n +"$((log_lines + 1))" "$DATA/dockerd.log" | grep -i 'remap\|subuid\|subgid\|uid lookup\|user namespace\|id mapping' | tail -n 1)
      if [ -n "$dockerd_pid" ] && ! kill -0 "$dockerd_pid" 2>/dev/null && [ -n "$why" ]; then
        # Some hosts cannot remap (no user namespaces, no subordinate ids): run without, and say so.
        echo "start-services: warning: dockerd cannot remap user namespaces here ($why); starting it without userns-remap, so root in a sandbox is root on this host" >&2
        unset 'started[-1]'
        sed '/"userns-remap"/d' "$ROOT/scripts/setup/docker-daemon.json" >"$DATA/docker-daemon.no-userns.json"
        launch_dockerd "$DATA/docker-daemon.no-userns.json"
      fi
    fi
  fi
  if ! wait_for 30 docker_up_or_exited || ! docker_answers; then
    local why
    why=$(grep -h 'failed to start daemon' "$DATA/dockerd.log" 2>/dev/null | tail -n 1)
    [ -n "$why" ] || why=$(tail -n 3 "$DATA/dockerd.log" 2>/dev/null)
    printf '%s\n' "$why" >&2
    if [ -n "$dockerd_pid" ] && ! kill -0 "$dockerd_pid" 2>/dev/null; then
      die "dockerd exited during startup (see above and $DATA/dockerd.log); it needs root with full privileges (inside a container: --privileged)"
    fi
    die "the Docker engine did not answer within 30 s; see $DATA/dockerd.log"
  fi
}

dockerd_pid=
launch_dockerd() {
  "${SUDO[@]}" setsid dockerd --config-file "$1" >>"$DATA/dockerd.log" 2>&1 </dev/null &
  dockerd_pid=$!
  started+=("dockerd (log $DATA/dockerd.log)")
  record_started "docker $dockerd_pid"
}
# Stop waiting early when the dockerd we started has already exited.
docker_up_or_exited() {
  docker_answers && return 0
  [ -n "$dockerd_pid" ] && ! kill -0 "$dockerd_pid" 2>/dev/null
}

is_on "${PATCHBAY_SKIP_POSTGRES:-}" || start_postgres
is_on "${PATCHBAY_SKIP_REDIS:-}" || start_redis
# An engine started elsewhere (a system service) keeps its own configuration: say what it lacks.
check_docker_config() {
  local icc
  icc=$(docker network inspect bridge --format '{{index .Options "com.docker.network.bridge.enable_icc"}}' 2>/dev/null || true)
  if ! docker info --format '{{json .SecurityOptions}}' 2>/dev/null | grep -q 'name=userns\|name=rootless'; then
    echo "start-services: note: this Docker engine runs containers without userns-remap, so root in a sandbox would be root on this host; scripts/setup/docker-daemon.json has \"userns-remap\": \"default\" (merge it into /etc/docker/daemon.json and restart dockerd; images are then built again)" >&2
  fi
  if [ "$icc" != false ]; then
    echo "start-services: note: this Docker engine allows traffic between containers on its default bridge and may have only ~30 network address pools; scripts/setup/docker-daemon.json holds the settings Patchbay uses (merge them into /etc/docker/daemon.json and restart dockerd)" >&2
  fi
}

is_on "${PATCHBAY_SKIP_DOCKER:-}" || { start_docker && check_docker_config; }

# Sandboxes must not open connections to this host (its web app, database, anything on 0.0.0.0): one
# firewall rule for every pb-* bridge Patchbay creates. A remote engine (DOCKER_HOST) needs the same
# script on its own host.
if ! is_on "${PATCHBAY_SKIP_DOCKER:-}" && [ -z "${DOCKER_HOST:-}" ]; then
  if [ "$(id -u)" -eq 0 ] || [ ${#SUDO[@]} -gt 0 ]; then
    "${SUDO[@]}" bash "$ROOT/scripts/setup/sandbox-firewall.sh"
  else
    log "warning: not root, so the sandbox firewall was not installed; run: sudo scripts/setup/sandbox-firewall.sh"
  fi
fi

if [ ${#started[@]} -eq 0 ]; then
  log "all services already running"
else
  for s in "${started[@]}"; do log "started $s"; done
fi
