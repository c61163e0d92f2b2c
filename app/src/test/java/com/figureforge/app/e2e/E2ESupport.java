package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.PlanUpdate;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/** Shared moves of the end-to-end tests: users, jobs, polling. */
final class E2ESupport {

    private final ApiClient api;
    private final OidcIssuer issuer;
    private final UserRepository users;

    E2ESupport(ApiClient api, OidcIssuer issuer, UserRepository users) {
        this.api = api;
        this.issuer = issuer;
        this.users = users;
    }

    record User(String id, String token) {}

    /** A fresh user (created by its first request), optionally moved to another plan. */
    User newUser(String plan) {
        String id = "u-" + UUID.randomUUID().toString().substring(0, 12);
        String token = issuer.accessToken(id);
        assertThat(api.get("/api/auth/user/", token).status()).isEqualTo(200);
        if (!"free".equals(plan)) {
            users.updatePlan(id, new PlanUpdate(plan, "active", null, null, null));
        }
        return new User(id, token);
    }

    ApiClient.Response generate(User user, String body) {
        return api.post("/api/images/generate/", user.token(), body);
    }

    String startJob(User user, String body) {
        var response = generate(user, body);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("job_id").asString();
    }

    JsonNode job(User user, String jobId) {
        var response = api.get("/api/images/job/" + jobId + "/", user.token());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    /** Polls the job until the condition holds; returns every state seen, the last one matching. */
    List<JsonNode> awaitJob(User user, String jobId, Predicate<JsonNode> condition, Duration timeout) {
        List<JsonNode> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = job(user, jobId);
            seen.add(job);
            if (condition.test(job)) {
                return seen;
            }
            sleep(150);
        }
        throw new AssertionError("job " + jobId + " did not reach the expected state in " + timeout + "; last: "
                + seen.get(seen.size() - 1));
    }

    /**
     * The job once it ended, and once its settlement had a moment to reach the quota counter: the
     * outcome is decided first and the counter follows it within milliseconds (docs/billing.md). Waits
     * until the user holds no slot, at most a few seconds (another job of the user may hold one).
     */
    JsonNode awaitFinished(User user, String jobId) {
        List<JsonNode> seen = awaitJob(user, jobId, E2ESupport::finished, Duration.ofSeconds(60));
        long settleBy = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (quota(user).get("in_flight").asInt() > 0 && System.nanoTime() < settleBy) {
            sleep(50);
        }
        return seen.get(seen.size() - 1);
    }

    JsonNode quota(User user) {
        return api.get("/api/auth/user/", user.token()).json().get("quota");
    }

    static boolean finished(JsonNode job) {
        String status = job.get("status").asString();
        return status.equals("succeeded") || status.equals("failed") || status.equals("canceled");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
