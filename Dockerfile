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
# See docs/operations.md for the configuration and docker-compose.yml for a whole local stack.

ARG BUILD_IMAGE=eclipse-temurin:25-jdk-noble
ARG RUNTIME_IMAGE=eclipse-temurin:21-jre-noble

# ---- build: the Maven reactor (workflows, activities, devstack for the test classpath, app) ----
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
    && mkdir -p /out \
    && cp app/target/figureforge-app-*.jar /out/app.jar

# Spring Boot's layered layout: dependencies change rarely, the application on every build.
RUN java -Djarmode=tools -jar /out/app.jar extract --layers --launcher --destination /out/extracted

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

# Heap sized from the container's memory limit (not the host's); die on OOM so the orchestrator
# restarts the container instead of leaving a half-working JVM. Override at run time if needed.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError -XX:+UseG1GC -Djava.io.tmpdir=/tmp -Dfile.encoding=UTF-8" \
    LANG=C.UTF-8 \
    TZ=UTC

# 8080: the API (api role and the single-process default). 8081: the management port (actuator:
# health details, metrics, info), the worker role's only port.
EXPOSE 8080 8081

USER 10001:10001

# Readiness (/readyz) over plain bash (no curl in the JRE image). The port follows PORT, else the
# role's default; both roles serve /readyz there.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
    CMD ["bash", "-c", "p=${PORT:-$([ \"${SPRING_PROFILES_ACTIVE:-}\" = worker ] && echo 8081 || echo 8080)}; exec 3<>/dev/tcp/127.0.0.1/$p && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
