package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hostile requests to every route of the served OpenAPI document (so a new route is fuzzed without
 * touching this test): random path segments, query strings, headers, bodies and methods from a seeded
 * generator (a fixed seed by default; {@code -Dfuzz.seed=N} or {@code =random}; the seed is in the failure message). Every answer must
 * be below 500 and, as an error, problem JSON; requests the document describes are also checked against
 * it. Afterwards the fuzzing user's items (profile, quota, in-flight, idempotency keys, jobs, images) are
 * exactly what they were: a refused request writes nothing.
 */
@FigureForgeE2E
class HostileInputFuzzE2ETest {

    private static final int REQUESTS = 400;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    UserRepository users;

    @Autowired
    DynamoDbClient dynamo;

    @Autowired
    FigureForgeProperties properties;

    /** One documented operation: its path template, method, query parameters and body fields. */
    private record Operation(
            String template,
            String method,
            Map<String, String> query,
            List<HostileRequests.Field> fields,
            boolean hasBody) {
        boolean hasPathParameter() {
            return template.contains("{");
        }
    }

    @Test
    void everyRouteRefusesHostileInputWithProblemJsonAndWritesNothing() {
        // A fixed seed by default, so the build is repeatable; -Dfuzz.seed=random explores new ones.
        String asked = System.getProperty("fuzz.seed", "20261129");
        long seed = asked.equals("random") ? System.nanoTime() : Long.parseLong(asked);
        HostileRequests hostile = new HostileRequests(new Random(seed));
        ApiClient api = new ApiClient(port);
        E2ESupport.User user = new E2ESupport(api, issuer, users).newUser("free");
        List<Operation> operations = operations(api.get("/v3/api-docs", null).json());
        assertThat(operations).hasSizeGreaterThan(10);
        Map<String, String> before = itemsOf(user.id());
        List<String> violations = new ArrayList<>();

        for (int i = 0; i < REQUESTS; i++) {
            Operation operation = hostile.pick(operations);
            String outcome;
            try {
                outcome =
                        hostile.chance(60) ? documented(api, hostile, operation, user) : raw(hostile, operation, user);
            } catch (AssertionError | RuntimeException e) {
                outcome = e.getMessage();
            }
            if (outcome != null) {
                violations.add(
                        "#" + i + " " + operation.method() + " " + operation.template() + ": " + abbreviate(outcome));
            }
        }

        assertThat(violations)
                .as("fuzz seed %d (repeat with -Dfuzz.seed=%d)", seed, seed)
                .isEmpty();
        assertThat(itemsOf(user.id()))
                .as("the fuzzing user's items after the run (fuzz seed %d)", seed)
                .isEqualTo(before);
    }

    @Test
    void malformedIdsCursorsLimitsAndTokensAreTheirRoutesRefusalsNotServerErrors() {
        ApiClient api = new ApiClient(port);
        String token = new E2ESupport(api, issuer, users).newUser("free").token();
        assertProblem(api.get("/api/images/job/" + "a".repeat(3000) + "/", token), 404, "job_not_found");
        assertProblem(api.delete("/api/images/job/" + "a".repeat(3000), token), 404, "job_not_found");
        assertProblem(api.get("/api/images/job/" + UUID.randomUUID() + "/", token), 404, "job_not_found");
        assertProblem(api.get("/api/images/gallery/?cursor=" + "A".repeat(3000), null), 400, "invalid_cursor");
        assertProblem(api.get("/api/images/user/?cursor=not%20a%20cursor", token), 400, "invalid_cursor");
        assertProblem(api.get("/api/images/gallery/?limit=99999999999999999999", null), 400, "validation_failed");
        assertThat(api.get("/api/images/gallery/?limit=", null).status()).isEqualTo(200); // empty: the default
        assertProblem(api.get("/api/images/gallery/?=", null), 400, "bad_request");
        assertProblem(api.get("/api/auth/user/", "A".repeat(10_000)), 401, "unauthorized");
        assertProblem(api.get("/api/auth/user/", "a b c"), 401, "unauthorized");
        assertProblem(
                api.send(
                        "POST",
                        "/api/subscriptions/sync/",
                        Map.of("Authorization", "Bearer " + token, "Content-Type", "application/*"),
                        "{}"),
                415,
                "unsupported_media_type");
        RawResponse traversal = RawHttp.send(port, "GET", "/api/auth/user/..;/x", Map.of());
        assertThat(traversal.status()).isEqualTo(400);
        assertThat(traversal.contentType()).startsWith("application/problem+json");
        RawResponse trace = RawHttp.send(port, "TRACE", "/api/auth/user/", Map.of());
        assertThat(trace.status()).isEqualTo(405);
        assertThat(trace.contentType()).startsWith("application/problem+json");
    }

    private static void assertProblem(ApiClient.Response response, int status, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("code").asString()).isEqualTo(code);
    }

    /** A request the document can describe, sent through the contract-checking client. */
    private String documented(ApiClient api, HostileRequests hostile, Operation operation, E2ESupport.User user) {
        String path = operation.template().replaceAll("\\{[^/]+}", hostile.pathParameter());
        if (hostile.chance(50)) {
            path += "/";
        }
        path += hostile.queryString(operation.query());
        Map<String, String> headers = hostile.headers();
        String authorization = hostile.chance(60) ? "Bearer " + user.token() : hostile.badAuthorization();
        String body = null;
        if (operation.hasBody()) {
            body = hostile.invalidBody(operation.fields());
            headers.put("Content-Type", hostile.contentType());
        }
        // The real user only where something in the request must refuse it: a body (always invalid here)
        // or an id the API never issued. A bare DELETE /api/auth/delete/ with its token would delete it.
        boolean refusedByConstruction = body != null || operation.hasPathParameter();
        if (!SAFE.contains(operation.method()) && !refusedByConstruction) {
            authorization = hostile.badAuthorization();
        }
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        ApiClient.Response response = api.send(operation.method(), path, headers, body);
        return problemUnless2xx(operation.method(), response.status(), response.contentType(), response.body());
    }

    /**
     * What the document cannot describe, on a raw socket: malformed paths, unlisted and unknown methods,
     * HEAD and OPTIONS, huge headers, odd Accept headers. The user's token only goes with methods that
     * change nothing.
     */
    private String raw(HostileRequests hostile, Operation operation, E2ESupport.User user) throws RuntimeException {
        String path = operation.template().replaceAll("\\{[^/]+}", hostile.pathParameter());
        String method = operation.method();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Forwarded-For", HostileRequests.FUZZ_ADDRESS); // see HostileRequests.headers
        switch (hostile.pick(List.of("suffix", "method", "method", "header"))) {
            case "suffix" -> path += hostile.pathSuffix();
            case "method" ->
                method = hostile.pick(List.of("HEAD", "OPTIONS", "TRACE", "PROPFIND", "FOO", "PATCH", "PUT", "GET"));
            default -> {
                if (hostile.chance(50)) {
                    headers.put("X-Padding", "p".repeat(20_000 + hostile.pick(List.of(0, 50_000))));
                } else {
                    headers.put("Accept", hostile.pick(List.of("application/xml", "text/html", "image/png", "*/x")));
                }
            }
        }
        boolean changesNothing =
                SAFE.contains(method) || Set.of("TRACE", "PROPFIND", "FOO").contains(method);
        String authorization =
                changesNothing && hostile.chance(60) ? "Bearer " + user.token() : hostile.badAuthorization();
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        RawResponse response = RawHttp.send(port, method, path, headers);
        if (tomcatRefuses(path, headers) && response.status() == 400) {
            return null;
        }
        String problem = problemUnless2xx(method, response.status(), response.contentType(), response.body());
        return problem == null ? null : "raw " + method + " " + abbreviate(path) + " " + problem;
    }

    /**
     * Tomcat answers some requests itself, with its own 400 page, before the app sees them
     * (docs/operations.md): a request line it cannot parse (characters RFC 3986 does not allow, a broken
     * percent escape), a path with an encoded NUL, slash or backslash or bytes that are not UTF-8, and
     * headers over {@code server.max-http-request-header-size}.
     */
    private static boolean tomcatRefuses(String path, Map<String, String> headers) {
        return headers.containsKey("X-Padding")
                || path.matches("(?i).*([\\[\\]<>]|%(?![0-9a-f]{2})|%00|%2f|%5c|%ff|%c0).*");
    }

    private static String problemUnless2xx(String method, int status, String contentType, String body) {
        if (status >= 500) {
            return "answered " + status + " " + body;
        }
        if (status < 400 || method.equals("HEAD")) {
            return null;
        }
        String mediaType =
                contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/problem+json")) {
            return "answered " + status + " as '" + contentType + "': " + body;
        }
        JsonNode problem = JSON.readTree(body);
        if (problem.path("status").asInt() != status || !problem.path("code").isString()) {
            return "answered " + status + " with a problem lacking status or code: " + body;
        }
        return null;
    }

    private static List<Operation> operations(JsonNode document) {
        List<Operation> operations = new ArrayList<>();
        for (String template : document.get("paths").propertyNames()) {
            if (!template.startsWith("/api/")) {
                continue;
            }
            JsonNode item = document.get("paths").get(template);
            for (String method : List.of("get", "put", "post", "delete", "patch")) {
                JsonNode operation = item.get(method);
                if (operation == null) {
                    continue;
                }
                Map<String, String> query = new TreeMap<>();
                for (JsonNode parameter : operation.path("parameters")) {
                    if (parameter.path("in").asString().equals("query")) {
                        query.put(
                                parameter.get("name").asString(),
                                parameter.path("schema").path("type").asString());
                    }
                }
                JsonNode schema = resolve(
                        document,
                        operation
                                .path("requestBody")
                                .path("content")
                                .path("application/json")
                                .path("schema"));
                List<HostileRequests.Field> fields = new ArrayList<>();
                for (String name : schema.path("properties").propertyNames()) {
                    JsonNode type = resolve(document, schema.get("properties").get(name))
                            .path("type");
                    fields.add(new HostileRequests.Field(
                            name, type.isArray() ? type.path(0).asString() : type.asString()));
                }
                operations.add(new Operation(
                        template, method.toUpperCase(Locale.ROOT), query, fields, operation.has("requestBody")));
            }
        }
        return operations;
    }

    private static JsonNode resolve(JsonNode document, JsonNode schema) {
        String ref = schema.path("$ref").asString("");
        if (ref.startsWith("#/components/schemas/")) {
            return document.path("components").path("schemas").path(ref.substring("#/components/schemas/".length()));
        }
        return schema;
    }

    /**
     * Every item of the user: its own partition (profile, quota, in-flight, keys) and its jobs and images;
     * not the rate-limit counters, which every request writes on purpose.
     */
    private Map<String, String> itemsOf(String userId) {
        String table = properties.aws().dynamodb().table();
        Map<String, String> items = new TreeMap<>();
        AttributeValue key = AttributeValue.fromS("USER#" + userId);
        for (var item : dynamo.queryPaginator(QueryRequest.builder()
                        .tableName(table)
                        .keyConditionExpression("pk = :u")
                        .expressionAttributeValues(Map.of(":u", key))
                        .consistentRead(true)
                        .build())
                .items()) {
            if (item.get("sk").s().startsWith("RATE#")) {
                continue; // rate-limit counters count every request by design; they are not the user's data
            }
            items.put("base " + item.get("sk").s(), new TreeMap<>(item).toString());
        }
        for (var item : dynamo.queryPaginator(QueryRequest.builder()
                        .tableName(table)
                        .indexName("gsi2")
                        .keyConditionExpression("gsi2pk = :u")
                        .expressionAttributeValues(Map.of(":u", key))
                        .build())
                .items()) {
            items.put("gsi2 " + item.get("pk").s(), new TreeMap<>(item).toString());
        }
        return items;
    }

    private static String abbreviate(String text) {
        String oneLine = String.valueOf(text).replaceAll("\\s+", " ");
        return oneLine.length() > 400 ? oneLine.substring(0, 400) + "..." : oneLine;
    }

    private record RawResponse(int status, String contentType, String body) {}

    /** HTTP/1.1 over a socket, so nothing checks or rewrites the method, the path or the headers. */
    private static final class RawHttp {

        static RawResponse send(int port, String method, String path, Map<String, String> headers) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(30_000);
                StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
                request.append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
                headers.forEach((name, value) ->
                        request.append(name).append(": ").append(value).append("\r\n"));
                request.append("\r\n");
                OutputStream out = socket.getOutputStream();
                out.write(request.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                return parse(readAll(socket.getInputStream()));
            } catch (IOException e) {
                throw new IllegalStateException(method + " " + abbreviate(path) + ": " + e, e);
            }
        }

        private static byte[] readAll(InputStream in) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toByteArray();
        }

        private static RawResponse parse(byte[] bytes) {
            // Latin-1 keeps one char per byte, so chunk sizes (in bytes) can be followed.
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            String body = end < 0 ? "" : text.substring(end + 4);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            String contentType = null;
            boolean chunked = false;
            for (String line : lines) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    contentType = line.substring("content-type:".length()).strip();
                }
                chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
            }
            String raw = chunked ? unchunk(body) : body;
            return new RawResponse(
                    status, contentType, new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
        }

        private static String unchunk(String body) {
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (at < body.length()) {
                int lineEnd = body.indexOf("\r\n", at);
                int size = Integer.parseInt(body.substring(at, lineEnd).strip(), 16);
                if (size == 0) {
                    break;
                }
                out.append(body, lineEnd + 2, lineEnd + 2 + size);
                at = lineEnd + 2 + size + 2;
            }
            return out.toString();
        }
    }
}
