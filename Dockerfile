# syntax=docker/dockerfile:1
# Newsdesk image: build with `docker build -t newsdesk .`; see README.md, "Deploying" for running it.
# No secret is baked in: BOT_TOKEN, WEBHOOK_SECRET and store passwords come from the environment
# at run time, the config file is mounted at /config, the SQLite store lives in the /app/data volume.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- toolchain: better-sqlite3 downloads a prebuilt binary when it can, else compiles with these.
FROM ${NODE_IMAGE} AS toolchain
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# node-gyp then compiles against the image's own Node headers instead of downloading them.
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json ./

# --- deps: production dependencies only, native modules built for this Debian and Node.
FROM toolchain AS deps
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

# --- build: every dependency (TypeScript); install scripts are not needed to compile.
FROM toolchain AS build
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
COPY config ./config
RUN npm run build

# --- runtime: no compiler, no dev dependencies, no npm run in the process tree.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    NEWSDESK_CONFIG=/config/newsdesk.yaml \
    NEWSDESK_STORE=sqlite:///app/data/newsdesk.sqlite
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config/newsdesk.example.yaml ./config/newsdesk.example.yaml
# The image's own `node` user (uid 1000) owns only the data directory.
RUN mkdir -p /app/data /config && chown node:node /app/data
USER node
VOLUME ["/app/data"]
# /healthz and /metrics (polling mode), or the webhook as well (webhook mode). PORT changes it.
EXPOSE 8080
# No curl in the slim image; node's fetch does it. Keep PORT and http.port in step (README.md, "Deploying").
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The environment and flags of package.json's start script (glibc malloc and V8 sized for memory:
# see README, "Memory").
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
CMD ["node", "--optimize-for-size", "dist/src/main.js"]
