# The service's image (see README, "Deployment"). Targets:
#   docker build -t gmail-oauth-nest .                  the service (the last stage, `runtime`)
#   docker build --target demo -t gmail-oauth-nest:demo .   the service and the Google emulator
#
# The base image is pinned by tag to the Node.js 24 release CI ran with when this was written
# (package.json engines: ^22.19.0 || >=24.0.0). Pin it by digest too where you build it
# (`docker buildx imagetools inspect node:24.22.3-slim` prints it): it is not written here
# because the machine this file was written on cannot reach a container registry.
FROM node:24.22.3-slim AS base
WORKDIR /app

# Build: every dependency (devDependencies included: swc), then `npm run build` into dist/.
FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY swc.build.json ./
COPY src ./src
RUN npm run build

# Try it offline: `npm run demo` in a container, Google emulated, no credentials. The demo binds
# 127.0.0.1 only (emulator/demo.runner.ts: the service's HOST and the emulator's address are
# fixed there), so run it on the host's network: `docker run --rm --network host
# gmail-oauth-nest:demo`, or `docker compose --profile demo up demo`; then open
# http://127.0.0.1:5000 (PORT), as printed.
FROM build AS demo
COPY emulator ./emulator
COPY views ./views
COPY public ./public
RUN npm run build:demo
USER 1000:1000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 5000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist-demo/emulator/demo.js"]

# The service: what CI's production-install check runs (.ci/run, "production install"): the
# same files (package.json, package-lock.json, dist, views, public), the same `npm ci`
# (no devDependencies: no emulator, no oidc-provider), the same `node dist/main.js`.
FROM base AS runtime
ENV NODE_ENV=production
# Listen on every interface: probes and the load balancer come from outside the container.
ENV HOST=0.0.0.0
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY views ./views
COPY public ./public
# The official image's `node` user, by number: Kubernetes' runAsNonRoot can only check a
# numeric user. It owns nothing here, and the root filesystem may be mounted read-only.
USER 1000:1000
EXPOSE 5000
# The slim image has no curl: node's fetch asks the liveness endpoint.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 5000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (not `npm start`), so SIGTERM reaches the service's drain.
CMD ["node", "dist/main.js"]
