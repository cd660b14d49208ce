# Sourced by the image's corepack, pnpm, pnpx, yarn and yarnpkg commands (see sandbox.Dockerfile).
# Corepack keeps the package managers it runs in COREPACK_HOME. The image's prepared home, /opt/corepack
# (pnpm and yarn, for offline use), is read-only, so a project pinning another version in package.json
# ("packageManager": "pnpm@9.15.0") could not get it. With the default home, use a writable one in
# $HOME instead, made on first use with links to the prepared versions (a few milliseconds): the setup
# phase, which has the registry through its proxy, downloads the pinned version there, and it is cached
# with the rest of the home for the agent's offline phase. A COREPACK_HOME set by the environment wins.
if [ "${COREPACK_HOME:-/opt/corepack}" = /opt/corepack ] && [ -n "${HOME:-}" ] && [ -w "$HOME" ]; then
  patchbay_corepack_home="$HOME/.cache/node/corepack"
  if [ ! -d "$patchbay_corepack_home/v1" ]; then
    patchbay_corepack_tmp="$patchbay_corepack_home.tmp.$$"
    if mkdir -p "$patchbay_corepack_tmp/v1" && cp /opt/corepack/lastKnownGood.json "$patchbay_corepack_tmp/"; then
      for patchbay_corepack_dir in /opt/corepack/v1/*/*; do
        patchbay_corepack_rel=${patchbay_corepack_dir#/opt/corepack/v1/}
        mkdir -p "$patchbay_corepack_tmp/v1/${patchbay_corepack_rel%/*}"
        ln -s "$patchbay_corepack_dir" "$patchbay_corepack_tmp/v1/$patchbay_corepack_rel"
      done
      # Another process may have made it meanwhile: then that one is used and this copy goes.
      mv -T "$patchbay_corepack_tmp" "$patchbay_corepack_home" 2>/dev/null || true
    fi
    rm -rf "$patchbay_corepack_tmp"
  fi
  if [ -d "$patchbay_corepack_home/v1" ]; then
    export COREPACK_HOME="$patchbay_corepack_home"
  fi
  unset patchbay_corepack_home patchbay_corepack_tmp patchbay_corepack_dir patchbay_corepack_rel
fi
