# The image the Helm chart runs: `aegis serve` on Node 24. Bundles are built elsewhere
# (`aegis build` needs the OPA CLI) and mounted or fetched from a bundle server.
# Not built by CI: this project's machines have no Docker engine (see README).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# A fixed malloc trim threshold: freed bundle-loader buffers go back to the OS (see bin/aegis).
ENV GLIBC_TUNABLES=glibc.malloc.trim_threshold=4194304
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY proto ./proto
COPY schemas ./schemas
USER node
EXPOSE 9191 8181
ENTRYPOINT ["node", "--disable-warning=ExperimentalWarning", "--max-semi-space-size=4", "--import", "./src/telemetry/instrumentation.ts", "./src/cli/main.ts"]
CMD ["serve", "--bundle", "/bundles/aegis.tar.gz", "--state", "sqlite:/data/aegis.db"]
