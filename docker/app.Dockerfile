# Patchbay application image: one image for the web app (`npm run web`), the worker (`npm run worker`)
# and the one-shot migration (`npm run db:migrate`); docker-compose.yml picks the command.
#
#   docker build -f docker/app.Dockerfile -t patchbay-app .        (context = repository root)
#
# - The build stage copies the whole context, then deletes host leftovers (node_modules, .next, .data,
#   .git, .env*) before installing dependencies from the lockfile, so a missing .dockerignore can never
#   leak a developer's .env or a host-built node_modules into the image. A .dockerignore listing those
#   paths still makes the context (and the build) much smaller.
# - The runtime image includes Chromium and fonts: the worker takes the preview screenshots with
#   playwright-core (executablePath /usr/bin/chromium); nothing downloads a browser at run time.
# - Runs as the unprivileged `node` user (uid 1000). The worker service overrides this in compose
#   because it must talk to the host's Docker socket (see docker-compose.yml).
# - No secrets at build time: configuration comes from the environment at run time (.env via compose).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV NEXT_TELEMETRY_DISABLED=1 \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates git; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /app

# Dependencies, cached until package.json or the lockfile change.
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM base AS build
COPY . .
RUN rm -rf node_modules .next .data .git .env .env.* test-results playwright-report
COPY --from=deps /app/node_modules ./node_modules
RUN npm run build

FROM base AS runtime
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends chromium fonts-dejavu-core fonts-liberation; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
ENV NODE_ENV=production \
    PATCHBAY_DATA_DIR=/data
# Application files stay root-owned (read-only for the app); only the Next cache and /data are writable.
COPY --from=build /app /app
RUN install -d -o node -g node /data /app/.next/cache
USER node
EXPOSE 3000
# Every interface inside the container; publish the port on the host's loopback and put TLS in front.
CMD ["npm", "run", "web", "--", "--host", "0.0.0.0"]
