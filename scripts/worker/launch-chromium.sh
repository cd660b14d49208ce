#!/bin/sh
# Starts the screenshot browser (worker/verify/browser-pool.ts launches this in place of Chromium, with
# Chromium's arguments; the debugging pipe on file descriptors 3 and 4 passes through the exec untouched):
# 1. WebRTC sends no UDP around the browser's proxy. The profile's preference does this; Chromium's
#    --force-webrtc-ip-handling-policy switch is not honoured by every build (Debian's is one).
# 2. When the worker runs as root (it drives Docker), Chromium refuses its own sandbox as root, so it is
#    started as the unprivileged PATCHBAY_BROWSER_UID, with the sandbox on.
set -eu
: "${PATCHBAY_CHROMIUM_PATH:?set by the browser pool}"

profile=""
for arg in "$@"; do
  case "$arg" in
    --user-data-dir=*) profile="${arg#--user-data-dir=}" ;;
  esac
done
if [ -z "$profile" ] || [ ! -d "$profile" ]; then
  echo "launch-chromium: expected --user-data-dir=<existing directory> from Playwright" >&2
  exit 64
fi
mkdir -p "$profile/Default"
printf '%s\n' '{"webrtc":{"ip_handling_policy":"disable_non_proxied_udp","multiple_routes_enabled":false,"nonproxied_udp_enabled":false}}' >"$profile/Default/Preferences"

chromium="$PATCHBAY_CHROMIUM_PATH"
if [ -z "${PATCHBAY_BROWSER_UID:-}" ]; then
  exec env -u PATCHBAY_CHROMIUM_PATH "$chromium" "$@"
fi
# Playwright made the profile directory as root (mode 0700); the browser user must own it to write it.
chown -R "$PATCHBAY_BROWSER_UID:$PATCHBAY_BROWSER_UID" "$profile"
exec setpriv --reuid="$PATCHBAY_BROWSER_UID" --regid="$PATCHBAY_BROWSER_UID" --clear-groups --inh-caps=-all \
  env -u PATCHBAY_BROWSER_UID -u PATCHBAY_CHROMIUM_PATH HOME="$profile" "$chromium" "$@"
