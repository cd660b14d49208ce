#!/usr/bin/env bash
# sandbox-firewall.sh — stop Patchbay sandbox containers from opening connections to this host.
#
# Patchbay's Docker networks (per-attempt preview networks, the egress proxy's network) are created
# with the bridge option com.docker.network.bridge.name=pb-<≤12 chars>, so every one of their host-side
# bridges matches the iptables interface wildcard `pb-+`. A container on such a bridge can otherwise
# reach every address of the host (the bridge gateway, docker0's 172.17.0.1, eth0's address) on any
# port a host process listens on with 0.0.0.0/:: — Docker's `Internal: true` only stops forwarding off
# the bridge, not traffic *to* the host (that is INPUT, which Docker never filters).
#
# This script installs, in the filter table (IPv4 and, when available, IPv6):
#   -N PATCHBAY-SANDBOX-IN
#   -A PATCHBAY-SANDBOX-IN -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN   host-initiated (Chromium → container)
#   -A PATCHBAY-SANDBOX-IN -p tcp -j REJECT --reject-with tcp-reset               container → host: "connection refused"
#   -A PATCHBAY-SANDBOX-IN -j REJECT                                              UDP, ICMP, everything else
# (IPv6 also lets neighbour solicitations/advertisements through, or the host could not reach containers)
#   -I INPUT 1 -i pb-+ -j PATCHBAY-SANDBOX-IN
# so the host can still connect to a container (replies come back ESTABLISHED and continue through
# INPUT as before), while a container cannot open anything towards the host. Container ↔ container
# traffic on a bridge and the proxy's traffic to the internet are forwarded, not INPUT: not affected.
# Docker's embedded DNS (127.0.0.11) lives in the container's own namespace: not affected either.
#
# Usage (as root, after dockerd is up so the backend docker uses can be detected):
#   sandbox-firewall.sh            install (idempotent; checks with `iptables -C` first)
#   sandbox-firewall.sh --check    exit 0 when the rules are in place, 1 when something is missing
#   sandbox-firewall.sh --remove   delete the jump and the chain
# Prints one line. The rules live in the kernel only: run it again after a reboot (dockerd restarts
# leave INPUT alone). PATCHBAY_IPTABLES=iptables-legacy|iptables-nft forces a backend.
set -euo pipefail

NAME=sandbox-firewall
CHAIN=PATCHBAY-SANDBOX-IN
IFACE='pb-+'

log() { printf '%s: %s\n' "$NAME" "$*"; }
die() { printf '%s: error: %s\n' "$NAME" "$*" >&2; exit 1; }

mode=install
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  --remove) mode=remove ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument: $1 (use --check or --remove)" ;;
esac
[ $# -le 1 ] || die "one argument at most"

[ "$(id -u)" -eq 0 ] || die "needs root (iptables); run: sudo $0${1:+ $1}"

# ------------------------------------------------------------------ backend
# Use the backend docker's own rules are in: rules in the other one would still filter (the kernel runs
# both), but `iptables -S`/`docker` troubleshooting would not show them next to Docker's.
pick_backend() {
  if [ -n "${PATCHBAY_IPTABLES:-}" ]; then
    command -v "$PATCHBAY_IPTABLES" >/dev/null 2>&1 || die "PATCHBAY_IPTABLES=$PATCHBAY_IPTABLES is not installed"
    echo "$PATCHBAY_IPTABLES"
    return
  fi
  local b
  for b in iptables-nft iptables-legacy; do
    if command -v "$b" >/dev/null 2>&1 && "$b" -w -t filter -S DOCKER >/dev/null 2>&1; then
      echo "$b"
      return
    fi
  done
  # dockerd not up (or not using iptables): whatever the `iptables` alternative points at.
  command -v iptables >/dev/null 2>&1 || die "iptables is not installed (package iptables)"
  echo iptables
}

V4=$(pick_backend)
V6=${V4/iptables/ip6tables}
families=("$V4")
# IPv6: Docker leaves it off by default (containers get disable_ipv6=1), but if it is ever enabled the
# host's link-local and global addresses must be covered too. Skip silently where IPv6 is unusable.
if command -v "$V6" >/dev/null 2>&1 && "$V6" -w -t filter -S INPUT >/dev/null 2>&1; then
  families+=("$V6")
fi

# The chain's rules, in order, as `-A` arguments, spelled the way `iptables -S` prints them.
chain_rules() {
  printf '%s\n' "-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN"
  if [[ $1 == ip6tables* ]]; then
    # Neighbour discovery is IPv6's ARP and conntrack does not track it: without these two the host
    # could not reach a container over IPv6 either.
    printf '%s\n' \
      "-p ipv6-icmp -m icmp6 --icmpv6-type 135 -j RETURN" \
      "-p ipv6-icmp -m icmp6 --icmpv6-type 136 -j RETURN" \
      "-p tcp -j REJECT --reject-with tcp-reset" \
      "-j REJECT --reject-with icmp6-port-unreachable"
  else
    printf '%s\n' \
      "-p tcp -j REJECT --reject-with tcp-reset" \
      "-j REJECT --reject-with icmp-port-unreachable"
  fi
}

chain_exists() { "$1" -w -t filter -S "$CHAIN" >/dev/null 2>&1; }

chain_ok() {
  local ipt=$1 rule
  chain_exists "$ipt" || return 1
  while read -r rule; do
    # shellcheck disable=SC2086 # the rule is a word list on purpose
    "$ipt" -w -t filter -C "$CHAIN" $rule >/dev/null 2>&1 || return 1
  done < <(chain_rules "$ipt")
  # -C says a rule exists, not where: also require exactly our rules in our order.
  # (2>/dev/null: iptables-nft warns on stderr when legacy tables also exist.)
  [ "$("$ipt" -w -t filter -S "$CHAIN" 2>/dev/null | sed -n "s/^-A $CHAIN //p")" = "$(chain_rules "$ipt")" ]
}

jump_ok() { "$1" -w -t filter -C INPUT -i "$IFACE" -j "$CHAIN" >/dev/null 2>&1; }

jump_first() {
  [ "$("$1" -w -t filter -S INPUT 2>/dev/null | grep '^-A ' | head -n 1)" = "-A INPUT -i $IFACE -j $CHAIN" ]
}

install_family() {
  local ipt=$1 rule
  if ! chain_ok "$ipt"; then
    chain_exists "$ipt" || "$ipt" -w -t filter -N "$CHAIN"
    "$ipt" -w -t filter -F "$CHAIN"
    while read -r rule; do
      # shellcheck disable=SC2086
      "$ipt" -w -t filter -A "$CHAIN" $rule
    done < <(chain_rules "$ipt")
    changed=1
  fi
  # First in INPUT, ahead of any host firewall rule that would ACCEPT the traffic.
  if ! jump_first "$ipt"; then
    while jump_ok "$ipt"; do "$ipt" -w -t filter -D INPUT -i "$IFACE" -j "$CHAIN"; done
    "$ipt" -w -t filter -I INPUT 1 -i "$IFACE" -j "$CHAIN"
    changed=1
  fi
}

remove_family() {
  local ipt=$1
  while jump_ok "$ipt"; do "$ipt" -w -t filter -D INPUT -i "$IFACE" -j "$CHAIN"; changed=1; done
  if chain_exists "$ipt"; then
    "$ipt" -w -t filter -F "$CHAIN"
    "$ipt" -w -t filter -X "$CHAIN"
    changed=1
  fi
}

label() { local out; printf -v out '%s, ' "${families[@]}"; echo "${out%, }"; }

changed=0
case $mode in
  check)
    missing=()
    for ipt in "${families[@]}"; do
      chain_ok "$ipt" || missing+=("$ipt chain $CHAIN")
      jump_ok "$ipt" || missing+=("$ipt INPUT -i $IFACE -j $CHAIN")
    done
    if [ ${#missing[@]} -gt 0 ]; then
      printf '%s: missing: %s; run: sudo %s\n' "$NAME" "$(IFS=';'; echo "${missing[*]}" | sed 's/;/; /g')" "$0" >&2
      exit 1
    fi
    warn=""
    for ipt in "${families[@]}"; do jump_first "$ipt" || warn+=" ($ipt: the jump is not the first INPUT rule; rerun to move it)"; done
    log "ok: containers on $IFACE bridges cannot connect to the host ($(label))$warn"
    ;;
  install)
    for ipt in "${families[@]}"; do install_family "$ipt"; done
    if [ $changed -eq 1 ]; then
      log "installed: INPUT -i $IFACE -j $CHAIN (host-initiated traffic only) ($(label))"
    else
      log "already in place: INPUT -i $IFACE -j $CHAIN ($(label))"
    fi
    ;;
  remove)
    for ipt in "${families[@]}"; do remove_family "$ipt"; done
    if [ $changed -eq 1 ]; then log "removed $CHAIN and its INPUT jump ($(label))"; else log "nothing to remove ($(label))"; fi
    ;;
esac
