# syntax=docker/dockerfile:1
# The TPS Reference System as one image for every role. The command picks the role:
#   node bin/tps.js start                  embedded mode (the default CMD)
#   node bin/tps.js api                    distributed API on PORT (8080)
#   node bin/tps.js worker --pool fast     distributed worker; /health /metrics /status on WORKER_PORT (8081)
#   node bin/tps.js downstream             services A, B, C on DOWNSTREAM_PORT .. +2 (8091..8093)
# The HEALTHCHECK below probes the API's /health on PORT. Roles that answer elsewhere override it:
# docker-compose.yml gives the workers a `healthcheck.test` on WORKER_PORT and downstream one on its
# three ports; Kubernetes ignores HEALTHCHECK and uses the probes in deploy/k8s/.
# Built and run by test/deploy/image.test.ts (with buildah, no Docker engine needed: its CMD answers /health as
# uid 1000, its HEALTHCHECK passes); `make image` builds it (scripts/image.sh). docs/image.md says how.

ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# ---- build: every dependency, compile src/ to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run the build before the sources are here; it runs explicitly below.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/buildWeb.js ./scripts/
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies only, non-root ----
FROM ${NODE_IMAGE} AS runtime
# NODE_OPTIONS: the flags every process of the system runs with (src/system/nodeFlags.ts says why). A container
# limited to one core should add --single-threaded-gc --no-allocation-site-pretenuring, as `tps up` does by
# itself on a one-core machine.
# HOST=0.0.0.0 listens on every interface; ALLOWED_HOSTS names the hosts it answers besides loopback and IP
# addresses (anything else gets 421, against DNS rebinding): docker-compose.yml and deploy/k8s list their service
# names; add the name users reach the container by, e.g. `-e ALLOWED_HOSTS=tps.example.internal`.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=8 \
    HOST=0.0.0.0 \
    ALLOWED_HOSTS= \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# The base image's `node` user (uid 1000); numeric so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/tps.js", "start"]
