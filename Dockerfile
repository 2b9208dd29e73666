# gemini-jobs worker image. glibc-based on purpose: @temporalio/core-bridge does not support Alpine.
# Node 24 is an LTS line supported until April 2028 (Node 20 reached end of life in April 2026);
# CI runs the suite on the same line (scripts/node-lts.mjs).
# Build:  docker build -t gemini-jobs .
# Run:    docker run --rm -e TEMPORAL_ADDRESS=host:7233 -e GEMINI_API_KEY gemini-jobs
#         (any CLI command works too: docker run --rm gemini-jobs list --json)

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
# Compile only what ships (tsconfig.build.json also covers tests and benchmarks).
RUN printf '{"extends":"./tsconfig.build.json","include":["src","workflows","activities"]}\n' > tsconfig.image.json \
 && npx tsc -p tsconfig.image.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    GEMINI_JOBS_RESULTS_DIR=/data/results
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/workflows ./dist/workflows
COPY --from=build /app/dist/activities ./dist/activities
COPY --from=build /app/src/dev/dev-server-args.mjs ./src/dev/dev-server-args.mjs
RUN mkdir -p /data/results && chown -R node:node /data
USER node
VOLUME ["/data/results"]
# SIGTERM starts a graceful shutdown (GEMINI_JOBS_SHUTDOWN_GRACE_MS); give the container more than that to stop.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["worker"]
