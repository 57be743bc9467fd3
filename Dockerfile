# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/copy-ui-assets.mjs ./scripts/
RUN npm run build

# Runtime stage: production dependencies only (chDB's engine is a glibc build, hence Debian slim).
FROM node:20-bookworm-slim
# The engine's data and the durable queue both live on the volume (the queue must survive
# the container for an acknowledged span to survive it).
ENV NODE_ENV=production \
    FAULTLINE_DATA_DIR=/data \
    FAULTLINE_QUEUE_DIR=/data/queue \
    FAULTLINE_ALERTING_QUEUE_DIR=/data/queue/alerting
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY proto ./proto
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4317 4318 8888
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8888/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve", "--config", "config/faultline.yaml"]
