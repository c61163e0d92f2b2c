# syntax=docker/dockerfile:1
#
# FigureForge: one image, two roles. SPRING_PROFILES_ACTIVE picks the role at run time:
#   api     HTTP API on 8080; starts and queries workflows, runs no workers
#   worker  Temporal workflow and activity workers; serves only health and metrics on 8081
#   (unset) both roles in one process, on 8080
#
#   docker build -t figureforge:dev .
#   docker run -e SPRING_PROFILES_ACTIVE=api -p 8080:8080 figureforge:dev
#
# The same image also carries the local stand-ins (fal and Stripe emulators, OIDC issuer) for the
# compose stack, outside the application's class path: `command: ["stand-ins"]` starts them.
# The target `dynalite` is the DynamoDB stand-in, installed from the project's lock file.
#
# See docs/operations.md for the configuration and docker-compose.yml for a whole local stack.

ARG BUILD_IMAGE=eclipse-temurin:25-jdk-noble
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre-noble
# Node.js 24 LTS (glibc: dynalite's storage engine ships prebuilt binaries for it).
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: the Maven reactor (workflows, activities, devstack, app) ----
FROM ${BUILD_IMAGE} AS build
WORKDIR /src

# The wrapper and the POMs first: this layer stays cached while only sources change.
COPY mvnw ./
COPY .mvn/ .mvn/
COPY pom.xml ./
COPY workflows/pom.xml workflows/
COPY activities/pom.xml activities/
COPY devstack/pom.xml devstack/
COPY app/pom.xml app/

COPY workflows/src/ workflows/src/
COPY activities/src/ activities/src/
COPY devstack/src/ devstack/src/
COPY app/src/ app/src/

# The Maven repository and the wrapper's Maven download live in a BuildKit cache, not in a layer.
# Formatting is CI's business (.ci/run); an image build does not fail on it.
RUN --mount=type=cache,target=/root/.m2 \
    chmod +x mvnw \
    && ./mvnw -B -ntp -pl app -am package -DskipTests -Dspotless.check.skip=true \
    && ./mvnw -B -ntp -pl devstack dependency:copy-dependencies -DincludeScope=runtime \
         -DoutputDirectory=/out/stand-ins -Dspotless.check.skip=true \
    && cp devstack/target/figureforge-devstack-*.jar /out/stand-ins/ \
    && cp app/target/figureforge-app-*.jar /out/app.jar

# Plain jars (no nested-jar launcher): the class path an AOT cache needs. Layers keep rarely
# changing dependencies in their own image layers.
RUN java -Djarmode=tools -jar /out/app.jar extract --layers --destination /out/extracted \
    --application-filename app.jar

# ---- dynalite: the DynamoDB stand-in of the compose stack, from devstack's lock file ----
FROM ${NODE_IMAGE} AS dynalite
WORKDIR /opt/dynalite
COPY devstack/src/main/resources/devstack/dynalite/package.json devstack/src/main/resources/devstack/dynalite/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force && mkdir -p /data && chown node:node /data
USER node
EXPOSE 8000
# GET / answers "healthy: dynamodb.<region>.amazonaws.com", as DynamoDB does.
HEALTHCHECK --interval=5s --timeout=5s --start-period=20s --retries=10 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:8000/').then(r => r.text()).then(t => process.exit(t.includes('healthy') ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/opt/dynalite/node_modules/dynalite/cli.js", "--port", "8000", "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
CMD ["--path", "/data"]

# ---- runtime: JRE only, non-root ----
FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="FigureForge" \
      org.opencontainers.image.description="FigureForge API and Temporal worker (one jar, two roles)"

RUN groupadd --system --gid 10001 figureforge \
    && useradd --system --uid 10001 --gid figureforge --home-dir /app --shell /usr/sbin/nologin figureforge

# Owned by root, read-only for the app user: the process cannot change its own code.
WORKDIR /app
COPY --from=build /out/extracted/dependencies/ ./
COPY --from=build /out/extracted/spring-boot-loader/ ./
COPY --from=build /out/extracted/snapshot-dependencies/ ./
COPY --from=build /out/extracted/application/ ./
# The stand-ins and their dependencies, never on the application's class path.
COPY --from=build /out/stand-ins/ /opt/stand-ins/
COPY --chmod=755 <<'EOF' /usr/local/bin/figureforge
#!/bin/bash
# The image's entrypoint: the application (any role), or with "stand-ins" the local stand-ins.
set -euo pipefail
if [ "${1:-}" = "stand-ins" ]; then
  exec java -Dlogback.configurationFile=stand-ins-logback.xml -cp '/opt/stand-ins/*' com.figureforge.devstack.StandIns
fi
aot=()
# The AOT cache (JEP 483/514/515) from the training run below; a JVM that cannot use it ignores it.
if [ -f /app/app.aot ] && [ "${FIGUREFORGE_AOT_CACHE:-true}" = true ]; then
  aot=(-XX:AOTCache=/app/app.aot)
fi
exec java "${aot[@]}" -jar /app/app.jar "$@"
EOF

# Heap sized from the container's memory limit (not the host's); die on OOM so the orchestrator
# restarts the container instead of leaving a half-working JVM. A small, mostly waiting process: the
# client compiler only (the optimizing one cost a quarter of the CPU), the serial collector (no
# concurrent GC threads and their memory) and a quarter of the limit as heap; two malloc arenas.
# Measured by the benchmark (docs/decisions.md, "JVM options"). Override at run time if needed.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=25.0 -XX:InitialRAMPercentage=10.0 -XX:MaxDirectMemorySize=128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=64m -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir=/tmp -Dfile.encoding=UTF-8" \
    MALLOC_ARENA_MAX=2 \
    LANG=C.UTF-8 \
    TZ=UTC

# AOT cache from a training run: start the context of both roles in one process (no external service
# is contacted before the context is refreshed) and exit. Built with this very JVM, flags and class
# path, as the cache requires. Measured: context ready in 12-16 s instead of 44-52 s on a loaded
# 2-core host (docs/operations.md). AOT_CACHE=false skips it (a smaller image, a slower start).
ARG AOT_CACHE=true
RUN if [ "$AOT_CACHE" = true ]; then \
      java -XX:AOTCacheOutput=/app/app.aot -Dspring.context.exit=onRefresh -jar /app/app.jar >/tmp/aot-training.log 2>&1 \
      || { cat /tmp/aot-training.log; exit 1; }; \
      rm -f /tmp/aot-training.log; \
    fi

# 8080: the API (api role and the single-process default). 8081: the management port (actuator:
# health details, metrics, info), the worker role's only port.
EXPOSE 8080 8081

USER 10001:10001

# Readiness (/readyz) over plain bash (no curl in the JRE image). The port follows PORT, else the
# role's default; both roles serve /readyz there.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
    CMD ["bash", "-c", "p=${PORT:-$([ \"${SPRING_PROFILES_ACTIVE:-}\" = worker ] && echo 8081 || echo 8080)}; exec 3<>/dev/tcp/127.0.0.1/$p && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["/usr/local/bin/figureforge"]
