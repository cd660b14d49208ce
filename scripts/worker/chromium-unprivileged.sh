#!/bin/sh
# Chromium for the screenshot browser when the worker runs as root (it drives Docker): Chromium refuses its
# own sandbox as root, so this starts it as an unprivileged user (PATCHBAY_BROWSER_UID) with the sandbox
# on. worker/verify/browser-pool.ts launches this in place of Chromium, with Chromium's arguments; the
# debugging pipe (file descriptors 3 and 4) passes through the exec untouched.
set -eu
: "${PATCHBAY_BROWSER_UID:?set by the browser pool}" "${PATCHBAY_CHROMIUM_PATH:?set by the browser pool}"

profile=""
for arg in "$@"; do
  case "$arg" in
    --user-data-dir=*) profile="${arg#--user-data-dir=}" ;;
  esac
done
if [ -z "$profile" ] || [ ! -d "$profile" ]; then
  echo "chromium-unprivileged: expected --user-data-dir=<existing directory> from Playwright" >&2
  exit 64
fi
# Playwright made the profile directory as root (mode 0700); the browser user must own it to write it.
chown "$PATCHBAY_BROWSER_UID:$PATCHBAY_BROWSER_UID" "$profile"

chromium="$PATCHBAY_CHROMIUM_PATH"
exec setpriv --reuid="$PATCHBAY_BROWSER_UID" --regid="$PATCHBAY_BROWSER_UID" --clear-groups --inh-caps=-all \
  env -u PATCHBAY_BROWSER_UID -u PATCHBAY_CHROMIUM_PATH HOME="$profile" "$chromium" "$@"
