# Patchbay sandbox image: the one container image agent commands run in (see docs: security.md §2).
#
# Built by scripts/setup/build-sandbox-image.sh, never pulled: the base `patchbay-base:bookworm` is a
# debootstrap'd Debian 12 minbase imported with `docker import`, and already contains every package the
# agent needs (bash, coreutils for `timeout`, git, ca-certificates, procps, findutils, grep, sed,
# diffutils, patch, less, ripgrep, curl, nodejs 18). Installing them there, in one debootstrap pass,
# is faster than a second apt-get download here, and this build needs no network at all.
# Build with the classic builder (DOCKER_BUILDKIT=0): BuildKit would want to resolve its frontend.
#
# Runtime contract with worker/sandbox (the container template): runs as uid/gid 1000 (`agent`) with a
# read-only root filesystem, tmpfs on /tmp and /home/agent, a named volume on /workspace (a fresh volume
# copies this image's /workspace ownership, 1000:1000, on first mount), `Init: true` (Docker's tini),
# and every command wrapped in `timeout`. No secrets, ever: anything in an image layer is readable.
FROM patchbay-base:bookworm

ENV LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

RUN set -eux; \
    groupadd --gid 1000 agent; \
    useradd --uid 1000 --gid 1000 --home-dir /home/agent --create-home --shell /bin/bash agent; \
    install -d -o 1000 -g 1000 -m 0755 /workspace; \
    # Repositories in /workspace may be owned by another uid (e.g. cloned by the setup user).
    git config --system safe.directory '*'; \
    git config --system user.name 'Patchbay Agent'; \
    git config --system user.email 'agent@patchbay.local'; \
    git config --system init.defaultBranch main; \
    # Fail the build, not the first task, when a tool the agent relies on is missing.
    for tool in bash timeout git curl rg node ps find xargs grep sed diff patch less; do \
      command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }; \
    done; \
    node --version; git --version; rg --version | head -n 1; \
    rm -rf /var/lib/apt/lists/*.* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /tmp/* /var/tmp/*

LABEL org.opencontainers.image.title="patchbay-sandbox" \
      org.opencontainers.image.description="Patchbay agent sandbox (Debian 12, non-root uid 1000)"

ENV HOME=/home/agent
WORKDIR /workspace
USER 1000:1000
CMD ["bash"]
