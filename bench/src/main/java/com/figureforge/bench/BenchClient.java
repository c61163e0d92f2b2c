package com.figureforge.bench;

import com.figureforge.devstack.oidc.OidcIssuer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain HTTP client of the API, as a frontend would call it, that times every call. */
final class BenchClient {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String GENERATION = "{\"pose\":\"standing\",\"prompt\":\"benchmark figure\"}";

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
            .build();
    private final URI base;
    private final OidcIssuer issuer;

    BenchClient(URI base, OidcIssuer issuer) {
        this.base = base;
        this.issuer = issuer;
    }

    /** An answer and how long it took. */
    record Timed(int status, String body, long nanos) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /** A user created by its first request (as a signed-in browser does); returns its token. */
    String newUser(String username) {
        String token = issuer.accessToken(username);
        Timed first = get("/api/auth/user/", token);
        if (first.status() != 200) {
            throw new IllegalStateException("GET /api/auth/user/ answered " + first.status() + ": " + first.body());
        }
        return token;
    }

    Timed get(String path, String token) {
        var request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.GET().build());
    }

    /** Starts one job; the answer is 202 with the job, or the refusal. */
    Timed generate(String token) {
        return send(HttpRequest.newBuilder(base.resolve("/api/images/generate/"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(GENERATION))
                .build());
    }

    /** Starts one job and returns its id, or fails. */
    String startJob(String token) {
        Timed accepted = generate(token);
        if (accepted.status() != 202) {
            throw new IllegalStateException("generate answered " + accepted.status() + ": " + accepted.body());
        }
        return accepted.json().get("job_id").asString();
    }

    private Timed send(HttpRequest request) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Timed(response.statusCode(), response.body(), System.nanoTime() - start);
        } catch (IOException e) {
            return new Timed(-1, e.toString(), System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
