#!/usr/bin/env bash
# ensure-system.sh — install the Debian packages Patchbay needs on this machine, and nothing else.
#
# Patchbay runs against real infrastructure (PostgreSQL 15, Redis, a Docker engine, Chromium for
# screenshots, debootstrap to build the sandbox base image without a registry). A fresh Debian 12
# machine or CI runner has none of it, so this script installs what is missing with apt-get.
#
# - Idempotent and fast: it asks dpkg / PATH what is there first and only runs `apt-get update` +
#   `apt-get install` when something is missing (≈0.1 s when everything is installed).
# - Installs with --no-install-recommends; the few recommends that matter are listed explicitly
#   (fonts for Chromium screenshots, cgroupfs-mount/xz-utils for dockerd, apparmor where the kernel
#   enforces it so docker's default profile can load).
# - An existing Docker engine (e.g. docker-ce from Docker's own repository) is left alone: docker.io
#   would conflict with it.
# - Runs apt-get via sudo only when not root. Prints one line per package it installs.
#
# It does not start anything: scripts/setup/start-services.sh does that.
set -euo pipefail

log() { printf 'ensure-system: %s\n' "$*"; }
die() { printf 'ensure-system: error: %s\n' "$*" >&2; exit 1; }

if [ ! -r /etc/debian_version ] || ! command -v dpkg-query >/dev/null 2>&1; then
  die "this script supports Debian 12 (bookworm) only; install PostgreSQL 15, Redis, Docker, Chromium and debootstrap yourself"
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "not root and sudo is not installed; run this script as root"
  SUDO=(sudo)
fi

# One dpkg-query call for every package we look at: "name status" for the installed ones.
declare -A installed=()
while read -r name status; do
  [ "$status" = "ii" ] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' \
  git ca-certificates curl postgresql-15 redis-server redis-tools docker.io chromium \
  fonts-dejavu-core fonts-liberation debootstrap debian-archive-keyring 2>/dev/null || true)

have_pkg() { [ -n "${installed[$1]:-}" ]; }
have_cmd() { command -v "$1" >/dev/null 2>&1; }

missing=()
want() { missing+=("$1"); }

have_pkg git || have_cmd git || want git
have_pkg ca-certificates || want ca-certificates
have_cmd curl || want curl
have_pkg postgresql-15 || want postgresql-15 # brings postgresql-common (pg_ctlcluster, pg_lsclusters)
{ have_cmd redis-server && have_cmd redis-cli; } || want redis-server # brings redis-tools (redis-cli)
if ! { have_cmd dockerd && have_cmd docker; }; then
  want docker.io # brings containerd, runc, iptables, tini (docker-init)
  want cgroupfs-mount # mounts cgroups where no init system did (start-services.sh uses it)
  want xz-utils
  if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = "Y" ]; then
    want apparmor # without apparmor_parser dockerd cannot load the docker-default profile
  fi
fi
have_cmd chromium || want chromium
have_pkg fonts-dejavu-core || want fonts-dejavu-core # without any font, screenshots render tofu
have_pkg fonts-liberation || want fonts-liberation   # metric-compatible Arial/Times/Courier
have_cmd debootstrap || want debootstrap
# Workspace size caps: ext4 images on loop devices (worker/sandbox/workspace-disk.ts).
{ have_cmd mkfs.ext4 || [ -x /sbin/mkfs.ext4 ]; } || want e2fsprogs
{ have_cmd losetup || [ -x /sbin/losetup ]; } || want mount
[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] || want debian-archive-keyring
# `ip`: the two-engine test (test/two-engines.int.test.ts) gives its second dockerd a bridge of its own.
have_cmd ip || want iproute2

if [ ${#missing[@]} -eq 0 ]; then
  log "all system packages present"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

log "missing: ${missing[*]}; running apt-get update"
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q -o Acquire::Retries=3 >/tmp/patchbay-apt-update.log 2>&1; then
  tail -n 20 /tmp/patchbay-apt-update.log >&2 || true
  die "apt-get update failed (full log: /tmp/patchbay-apt-update.log); check /etc/apt/sources.list* and that the Debian mirror is reachable"
fi

apt_log=/tmp/patchbay-apt-install.log
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" -o Acquire::Retries=3 "${missing[@]}" >"$apt_log" 2>&1; then
  tail -n 30 "$apt_log" >&2 || true
  die "apt-get install ${missing[*]} failed (full log: $apt_log)"
fi

for pkg in "${missing[@]}"; do
  version=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo '?')
  log "installed $pkg $version"
done
