# syntax=docker/dockerfile:1
#
# Slipway container image. One build deploys anywhere: no runtime configuration or secret is read
# while building (configuration is validated when the server starts, see src/lib/env).
#
#   docker build -t slipway .                                   # production image (runner, the default)
#   docker build --target development -t slipway:dev .         # hot-reload image for docker-compose.yml
#   docker build --build-arg COMMIT_SHA=$(git rev-parse HEAD) --build-arg APP_VERSION=1.2.3 \
#     --secret id=server_actions_key,env=NEXT_SERVER_ACTIONS_ENCRYPTION_KEY \
#     --build-arg SENTRY_ORG=your-org --build-arg SENTRY_PROJECT=slipway \
#     --secret id=sentry_auth_token,env=SENTRY_AUTH_TOKEN -t slipway .   # release build (CI: deploy.yml)
#
# Without a Docker engine, buildah builds the same file: see docs/deployment.md and scripts/test-container.sh.
# Forking: change SOURCE_URL (OCI label) below; everything else is project-neutral.

# Node.js major version. Debian slim (glibc) on purpose: see docs/decisions/0020-one-image-debian-slim-and-platform-manifests.md.
ARG NODE_VERSION=24

# ---- base: the runtime shared by every stage -------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# ---- deps: every dependency (dev ones too: the build needs them) ---------------------------------
FROM base AS deps
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: the lockfile honours versions, and `npm install` also fetches the
# platform's optional native packages (SWC, esbuild) when the lockfile was written on another OS.
RUN --mount=type=cache,target=/root/.npm \
    npm install --no-audit --no-fund --loglevel=warn

# ---- builder: `next build` (standalone output) and the bundled migrator -----------------------------
FROM base AS builder
# The release identifier, fixed into the build (next.config.ts); runtime variables can override it.
ARG COMMIT_SHA=""
ARG APP_VERSION=""
# Where source maps are uploaded (not secrets); used only together with the sentry_auth_token secret.
ARG SENTRY_ORG=""
ARG SENTRY_PROJECT=""
ENV COMMIT_SHA=${COMMIT_SHA} \
    APP_VERSION=${APP_VERSION} \
    SENTRY_ORG=${SENTRY_ORG} \
    SENTRY_PROJECT=${SENTRY_PROJECT} \
    NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# SENTRY_AUTH_TOKEN (source-map upload) only through a BuildKit secret mount: it never lands in a
# layer, the image history or a build arg. Absent secret: the build skips the upload.
# NEXT_SERVER_ACTIONS_ENCRYPTION_KEY the same way: one key for every release, so a form rendered by
# one release can be submitted to the next (ADR 0021). Next writes it into the build output, so the
# image carries it: keep images in a private registry. Absent secret: a random key per build.
RUN --mount=type=secret,id=sentry_auth_token \
    --mount=type=secret,id=server_actions_key \
    if [ -s /run/secrets/sentry_auth_token ]; then \
      SENTRY_AUTH_TOKEN="$(cat /run/secrets/sentry_auth_token)"; export SENTRY_AUTH_TOKEN; \
    fi; \
    if [ -s /run/secrets/server_actions_key ]; then \
      NEXT_SERVER_ACTIONS_ENCRYPTION_KEY="$(cat /run/secrets/server_actions_key)"; export NEXT_SERVER_ACTIONS_ENCRYPTION_KEY; \
    fi; \
    npm run build

# ---- development: `next dev` with hot reload (docker-compose.yml bind-mounts the source) ------------
FROM base AS development
ENV NODE_ENV=development \
    HOSTNAME=0.0.0.0 \
    PORT=3000
# The app user writes .next (build cache) and .data (per-checkout dev session secret).
RUN mkdir -p .next .data && chown node:node /app .next .data
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node . .
USER node
EXPOSE 3000
CMD ["npm", "run", "dev", "--", "--hostname", "0.0.0.0", "--port", "3000"]

# ---- runner: the production image (default target: keep it last) -----------------------------------
FROM base AS runner
ARG COMMIT_SHA=""
ARG APP_VERSION=""
ARG SOURCE_URL="https://github.com/slipway-dev/slipway"
LABEL org.opencontainers.image.title="slipway" \
      org.opencontainers.image.description="Slipway: a multi-tenant Next.js app with its production infrastructure" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.revision="${COMMIT_SHA}" \
      org.opencontainers.image.version="${APP_VERSION}" \
      org.opencontainers.image.licenses="MIT"
# NEXT_MANUAL_SIG_HANDLE: Next leaves SIGTERM/SIGINT to src/lib/shutdown (drain, then close).
ENV NODE_ENV=production \
    HOSTNAME=0.0.0.0 \
    PORT=3000 \
    NEXT_TELEMETRY_DISABLED=1 \
    NEXT_MANUAL_SIG_HANDLE=true
# Code stays owned by root (the app cannot rewrite itself); only the Next cache is writable.
COPY --from=builder /app/.next/standalone ./
COPY --from=builder /app/.next/static ./.next/static
COPY --from=builder /app/public ./public
# The migrator (one file, no dependencies) and its SQL, for the platforms' release step:
#   node db/migrate.mjs
COPY --from=builder /app/dist/db/migrate.mjs ./db/migrate.mjs
COPY --from=builder /app/db/migrations ./db/migrations
RUN mkdir -p .next/cache && chown node:node .next/cache
# The base image's `node` user, numeric so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
# No curl in the slim image: Node's fetch. Liveness only (the process serves HTTP); readiness
# (database, Redis) is the platforms' concern via /health/ready.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself.
CMD ["node", "server.js"]
