package com.figureforge.app.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain HTTP client for the API, as a frontend would use it: real sockets, real tokens. Every answer it
 * receives is checked against the served OpenAPI document ({@link ApiContract}), so the document cannot
 * drift from what the API does.
 */
final class ApiClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One document per server (port): fetched once, the first time a client talks to it. */
    private static final Map<Integer, ApiContract> CONTRACTS = new ConcurrentHashMap<>();

    private final URI base;
    private final ApiContract contract;

    ApiClient(int port) {
        this.base = URI.create("http://127.0.0.1:" + port);
        this.contract = CONTRACTS.computeIfAbsent(port, p -> {
            Response document = send(HttpRequest.newBuilder(base.resolve("/v3/api-docs"))
                    .timeout(Duration.ofSeconds(60))
                    .build());
            if (document.status() != 200) {
                throw new IllegalStateException("GET /v3/api-docs answered " + document.status());
            }
            return new ApiContract(document.body());
        });
    }

    record Response(int status, Map<String, java.util.List<String>> headers, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }

        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream())
                    .findFirst()
                    .orElse(null);
        }

        String contentType() {
            return header("Content-Type");
        }
    }

    Response get(String path, String token) {
        return checked(request(path, token).GET().build());
    }

    Response get(String path, String token, Map<String, String> headers) {
        HttpRequest.Builder builder = request(path, token).GET();
        headers.forEach(builder::header);
        return checked(builder.build());
    }

    Response delete(String path, String token) {
        return checked(request(path, token).DELETE().build());
    }

    Response post(String path, String token, String json) {
        return checked(request(path, token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    Response post(String path, String token, String json, Map<String, String> headers) {
        HttpRequest.Builder builder = request(path, token).POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(builder::header);
        return checked(builder.build());
    }

    Response put(String path, String token, String json) {
        return checked(request(path, token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    Response send(String method, String path, String token, String contentType, String body) {
        HttpRequest.Builder builder = request(path, token)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return checked(builder.build());
    }

    /** Any method, headers as given (Authorization included), an optional body: for the fuzz test. */
    Response send(String method, String pathAndQuery, Map<String, String> headers, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(builder::header);
        return checked(builder.build());
    }

    static byte[] download(String url) {
        try {
            HttpResponse<byte[]> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + url + " answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static int status(String url) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(url)).GET().build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private Response checked(HttpRequest request) {
        Response response = send(request);
        contract.check(request.method(), request.uri().getPath(), response);
        return response;
    }

    /**
     * A GET outside the API (the management port, the probes): no contract check, the actuator is
     * not part of the OpenAPI document.
     */
    static Response getUnchecked(URI uri, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return send(builder.GET().build());
    }

    /** Any request outside the API (the management port's codec server): no contract check. */
    static Response sendUnchecked(HttpRequest request) {
        return send(request);
    }

    private static Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
