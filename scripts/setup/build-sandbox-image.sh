#!/usr/bin/env bash
# build-sandbox-image.sh — build the agent sandbox image patchbay-sandbox:latest without any registry.
#
# No container registry is reachable from the build machines (and pulling unreviewed images is not
# wanted anyway, see security.md §8), so the image is built from Debian packages:
#   1. debootstrap --variant=minbase --include=<agent tools> bookworm → a root filesystem in a temp
#      dir (≈1 min; the dir is removed on exit, also on failure or Ctrl-C),
#   2. tar | docker import → patchbay-base:bookworm (only when that tag is missing or was built from
#      a different package list; the list's hash is the label patchbay.base-hash),
#   3. DOCKER_BUILDKIT=0 docker build -f docker/sandbox.Dockerfile docker/ → patchbay-sandbox:latest,
#      also tagged patchbay-sandbox:<yyyymmdd>.
# The sandbox image carries the label patchbay.recipe-hash = sha256(Dockerfile + this script). When the
# existing image has the same hash nothing is rebuilt (≈0.1 s). Prints the image ID at the end.
#
# Usage: scripts/setup/build-sandbox-image.sh [--force]
#   --force   rebuild the base and the sandbox image even when up to date (e.g. weekly, for updates)
# Environment: PATCHBAY_DEBIAN_MIRROR overrides the mirror read from /etc/apt/sources*.
# Needs: debootstrap + a running Docker engine (scripts/setup/ensure-system.sh, start-services.sh), root.
set -euo pipefail

log() { printf 'build-sandbox-image: %s\n' "$*"; }
die() { printf 'build-sandbox-image: error: %s\n' "$*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCRIPT="$ROOT/scripts/setup/build-sandbox-image.sh"
DOCKERFILE="$ROOT/docker/sandbox.Dockerfile"
DATA="$ROOT/.data"

IMAGE=patchbay-sandbox
BASE=patchbay-base:bookworm
SUITE=bookworm
# Everything the agent runs, installed in one debootstrap pass (minbase already has bash, coreutils,
# findutils, grep, sed, diffutils; listing them keeps the contract visible). nodejs is Debian's 18.
INCLUDE=ca-certificates,bash,coreutils,findutils,grep,sed,diffutils,patch,less,procps,git,ripgrep,curl,nodejs

FORCE=0
case "${1:-}" in
  "") ;;
  --force) FORCE=1 ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument: $1 (usage: $0 [--force])" ;;
esac

command -v docker >/dev/null 2>&1 || die "docker not found; run scripts/setup/ensure-system.sh"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer; run scripts/setup/start-services.sh"

# Remove an image we just replaced, if nothing tags or uses it any more (a sandbox still running on
# it keeps it alive: docker refuses, and that is fine).
drop_if_dangling() {
  [ -n "$1" ] && [ "$1" != "$2" ] || return 0
  [ "$(docker image inspect -f '{{len .RepoTags}}' "$1" 2>/dev/null)" = 0 ] || return 0
  docker image rm "$1" >/dev/null 2>&1 || true
}
label_of() { # label_of IMAGE LABEL → the label's value, empty when the image or label is missing
  docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}
image_id() { docker image inspect -f '{{.Id}}' "$1"; }

RECIPE_HASH=$(cat "$DOCKERFILE" "$SCRIPT" | sha256sum | cut -c1-32)
BASE_HASH=$(printf '%s\n' "variant=minbase" "suite=$SUITE" "include=$INCLUDE" "cleanup=v2" | sha256sum | cut -c1-32)

sandbox_up_to_date() { [ "$FORCE" = 0 ] && [ "$(label_of "$IMAGE:latest" patchbay.recipe-hash)" = "$RECIPE_HASH" ]; }

if sandbox_up_to_date; then
  log "$IMAGE:latest is up to date"
  image_id "$IMAGE:latest"
  exit 0
fi

# One build at a time (CI steps or tests may call this concurrently); re-check once we hold the lock.
mkdir -p "$DATA"
exec 9>"$DATA/sandbox-build.lock"
flock 9
if sandbox_up_to_date; then
  log "$IMAGE:latest is up to date"
  image_id "$IMAGE:latest"
  exit 0
fi

SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo -n)

# The Debian mirror apt already uses (deb822 .sources first, then one-line .list), else deb.debian.org.
debian_mirror() {
  local mirror="${PATCHBAY_DEBIAN_MIRROR:-}"
  if [ -z "$mirror" ]; then
    mirror=$(awk '
      function flush(  u) {
        if (!found && types ~ /(^|[ \t])deb([ \t]|$)/ && (" " suites " ") ~ /[ \t]'"$SUITE"'[ \t]/ && enabled != "no") {
          split(uris, u, /[ \t]+/); if (u[1] ~ /^https?:\/\//) { print u[1]; found = 1 }
        }
        types = suites = uris = enabled = ""
      }
      FNR == 1 { flush() }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      { key = tolower($1); sub(/:$/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
        if (key == "types") types = val; else if (key == "uris") uris = val
        else if (key == "suites") suites = val; else if (key == "enabled") enabled = tolower(val) }
      END { flush() }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  fi
  if [ -z "$mirror" ]; then
    mirror=$(sed -E 's/\[[^]]*\]//' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk -v s="$SUITE" '$1 == "deb" && $3 == s && $2 ~ /^https?:\/\// { print $2; exit }' || true)
  fi
  printf '%s\n' "${mirror:-http://deb.debian.org/debian}"
}

build_base() {
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap not found; run scripts/setup/ensure-system.sh"
  [ "$(id -u)" -eq 0 ] || [ -n "$(command -v sudo)" ] || die "debootstrap needs root; run this script as root"
  local mirror arch keyring rootfs started=$SECONDS
  mirror=$(debian_mirror)
  arch=$(dpkg --print-architecture)
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -r "$keyring" ] || die "$keyring missing; apt-get install debian-archive-keyring"

  rootfs=$(mktemp -d /var/tmp/patchbay-rootfs.XXXXXX)
  # Cleanup on any exit. debootstrap bind-mounts /dev nodes (and /proc, /sys) into the target when it
  # runs inside a container and unmounts them only on a clean exit: unmount whatever is left first,
  # then delete without crossing into another filesystem, so the host's /dev is never touched.
  cleanup_rootfs() {
    [ -n "${rootfs:-}" ] && [ -d "$rootfs" ] || return 0
    awk -v r="$rootfs" 'index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r \
      | while read -r m; do "${SUDO[@]}" umount -l "$m" 2>/dev/null || true; done
    "${SUDO[@]}" rm -rf --one-file-system "$rootfs"
  }
  trap cleanup_rootfs EXIT
  trap 'exit 130' INT TERM

  local cache="$DATA/cache/debootstrap" dlog="$DATA/debootstrap.log"
  mkdir -p "$cache"
  log "debootstrap $SUITE ($arch) from $mirror into $rootfs (≈1 min; log: $dlog)"
  if ! "${SUDO[@]}" debootstrap --variant=minbase --arch="$arch" --keyring="$keyring" --components=main \
    --cache-dir="$cache" --include="$INCLUDE" "$SUITE" "$rootfs" "$mirror" >"$dlog" 2>&1; then
    tail -n 20 "$dlog" >&2
    grep -h 'W: \|E: ' "$rootfs/debootstrap/debootstrap.log" 2>/dev/null | tail -n 10 >&2 || true
    die "debootstrap failed (log: $dlog); check that $mirror is reachable (or set PATCHBAY_DEBIAN_MIRROR)"
  fi

  # Slim and de-host the tree: package lists and caches are dead weight in a read-only image, and
  # resolv.conf/hostname are the build host's (Docker mounts its own at run time).
  # shellcheck disable=SC2016 # $1 is expanded by the inner sh
  "${SUDO[@]}" sh -c '
    cd "$1" || exit 1
    rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb var/log/apt/* \
      var/log/dpkg.log var/log/bootstrap.log var/log/alternatives.log tmp/* var/tmp/* \
      usr/share/man/* usr/share/info/*
    # Translations and docs are ~60 MB nobody reads in a C.UTF-8 sandbox; keep the copyright files.
    find usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    find usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
    find usr/share/doc -mindepth 1 -type d -empty -delete
    mkdir -p var/lib/apt/lists/partial
    : >etc/resolv.conf
    echo sandbox >etc/hostname
  ' sh "$rootfs"

  log "importing $BASE"
  local old_base
  old_base=$(docker image inspect -f '{{.Id}}' "$BASE" 2>/dev/null || true)
  "${SUDO[@]}" tar -C "$rootfs" --numeric-owner -c . | docker import \
    --change "LABEL patchbay.base-hash=$BASE_HASH" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["bash"]' \
    - "$BASE" >/dev/null || die "docker import of the debootstrap tree failed"
  cleanup_rootfs
  trap - EXIT INT TERM
  drop_if_dangling "$old_base" "$(image_id "$BASE")"
  log "built $BASE in $((SECONDS - started)) s"
}

if [ "$FORCE" = 1 ] || [ "$(label_of "$BASE" patchbay.base-hash)" != "$BASE_HASH" ]; then
  build_base
fi

old_image=$(docker image inspect -f '{{.Id}}' "$IMAGE:latest" 2>/dev/null || true)
started=$SECONDS
blog="$DATA/sandbox-build.log"
log "docker build $IMAGE:latest (log: $blog)"
if ! DOCKER_BUILDKIT=0 docker build --pull=false --rm --force-rm \
  --label "patchbay.recipe-hash=$RECIPE_HASH" \
  -f "$DOCKERFILE" -t "$IMAGE:latest" -t "$IMAGE:$(date -u +%Y%m%d)" "$ROOT/docker" >"$blog" 2>&1; then
  tail -n 30 "$blog" >&2
  die "docker build failed (log: $blog)"
fi
log "built $IMAGE:latest in $((SECONDS - started)) s"
drop_if_dangling "$old_image" "$(image_id "$IMAGE:latest")"
image_id "$IMAGE:latest"
