package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.generation.FigureControls;
import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code POST /api/images/variations/} and {@code GET /api/images/variations/{id}/} over HTTP. */
@FigureForgeE2E
class VariationSetE2ETest {

    private static final String THREE_LIGHTS =
            "{\"pose\":\"walking\",\"vary\":\"lighting\",\"values\":[\"studio\",\"rim\",\"dramatic\"]}";

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    FalEmulator fal;

    @Autowired
    UserRepository users;

    ApiClient api;
    E2ESupport e2e;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        e2e = new E2ESupport(api, issuer, users);
        fal.resetFaults();
    }

    @Test
    void aSetOfThreeRendersEachValueWithEverythingElseAndTheSeedLocked() {
        var user = e2e.newUser("free"); // one job in flight: a set still enters whole
        var created = api.post("/api/images/variations/", user.token(), THREE_LIGHTS);
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        JsonNode set = created.json();
        String setId = set.get("set_id").asString();
        assertThat(created.header("Location")).isEqualTo("/api/images/variations/" + setId + "/");
        assertThat(created.header("Idempotent-Replayed")).isEqualTo("false");
        assertThat(set.get("jobs").valueStream().map(j -> j.get("value").asString()))
                .containsExactly("studio", "rim", "dramatic");
        assertThat(e2e.quota(user).get("used").asInt()).as("3 values x 1 image").isEqualTo(3);

        JsonNode finished = awaitSet(user, setId);
        long seed = finished.get("seed").asLong();
        assertThat(finished.get("status").asString()).isEqualTo("finished");
        assertThat(finished.get("charged_images").asInt()).isEqualTo(3);
        Set<String> promptsWithoutLighting = new HashSet<>();
        List<JsonNode> requests = new ArrayList<>();
        for (JsonNode entry : finished.get("jobs")) {
            String value = entry.get("value").asString();
            assertThat(entry.get("status").asString()).as(entry.toString()).isEqualTo("succeeded");
            assertThat(entry.get("images")).hasSize(1);
            assertThat(entry.get("images").get(0).get("seed").asLong()).isEqualTo(seed);
            String prompt = entry.get("prompt").asString();
            String phrase = FigureControls.LIGHTING.get(value);
            assertThat(prompt).contains(phrase);
            promptsWithoutLighting.add(prompt.replace(phrase, "<lighting>"));
            JsonNode request = e2e.job(user, entry.get("job_id").asString()).get("request");
            assertThat(request.get("lighting").asString()).isEqualTo(value);
            assertThat(request.get("seed").asLong()).isEqualTo(seed);
            requests.add(((ObjectNode) request.deepCopy()).put("lighting", "x"));
        }
        assertThat(promptsWithoutLighting)
                .as("the prompts differ only in the lighting")
                .hasSize(1);
        assertThat(new HashSet<>(requests))
                .as("the requests differ only in the lighting")
                .hasSize(1);
        assertThat(api.get("/api/images/variations/" + setId, user.token()).status())
                .as("without the trailing slash too")
                .isEqualTo(200);
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(3);
    }

    @Test
    void aSetLargerThanWhatIsLeftIsRefusedWithNothingReservedAndARaceAcceptsOnlyWhatFits() throws Exception {
        var user = e2e.newUser("tiny"); // 3 images a month, 1 per job, 20 in flight
        String four = "{\"vary\":\"pose\",\"values\":[\"standing\",\"walking\",\"running\",\"sitting\"]}";

        assertProblem(api.post("/api/images/variations/", user.token(), four), 402, "quota_exceeded");
        assertThat(e2e.quota(user).get("used").asInt()).isZero();
        assertThat(e2e.quota(user).get("in_flight").asInt()).isZero();

        String two = "{\"vary\":\"camera_angle\",\"values\":[\"eye_level\",\"low_angle\"]}";
        List<ApiClient.Response> race =
                GenerationE2ETest.burst(2, () -> api.post("/api/images/variations/", user.token(), two));
        List<ApiClient.Response> accepted =
                race.stream().filter(r -> r.status() == 202).toList();
        assertThat(accepted).as("room for one set of two, not two").hasSize(1);
        race.stream().filter(r -> r.status() != 202).forEach(r -> assertProblem(r, 402, "quota_exceeded"));
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(2);

        awaitSet(user, accepted.getFirst().json().get("set_id").asString());
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(2);
    }

    @Test
    void aSweepThatCannotBeDoneIs422AndReservesNothing() {
        var user = e2e.newUser("pro");
        Map<String, String> invalid = Map.of(
                "unknown control", "{\"vary\":\"hair_color\",\"values\":[\"red\",\"blond\"]}",
                "duplicate values", "{\"vary\":\"lighting\",\"values\":[\"rim\",\"soft\",\"rim\"]}",
                "too many values",
                        "{\"vary\":\"pose\",\"values\":[\"standing\",\"contrapposto\",\"walking\",\"running\","
                                + "\"jumping\",\"sitting\",\"kneeling\",\"crouching\",\"reclining\"]}",
                "one value", "{\"vary\":\"pose\",\"values\":[\"standing\"]}",
                "unknown value", "{\"vary\":\"body_type\",\"values\":[\"slim\",\"giant\"]}",
                "control also in the base",
                        "{\"lighting\":\"rim\",\"vary\":\"lighting\",\"values\":[\"rim\",\"soft\"]}",
                "no sweep", "{\"pose\":\"walking\"}");
        invalid.forEach((what, body) -> {
            var response = api.post("/api/images/variations/", user.token(), body);
            assertProblem(response, 422, "invalid_variation_set");
            assertThat(response.json().get("errors")).as(what).isNotEmpty();
        });
        assertProblem(
                api.post(
                        "/api/images/variations/",
                        user.token(),
                        "{\"num_images\":99,\"vary\":\"pose\",\"values\":[\"standing\",\"walking\"]}"),
                400,
                "validation_failed");
        assertThat(e2e.quota(user).get("used").asInt()).isZero();
        assertThat(e2e.quota(user).get("in_flight").asInt()).isZero();
    }

    @Test
    void anotherUsersSetIsNotFound() {
        var owner = e2e.newUser("free");
        var other = e2e.newUser("free");
        var created = api.post("/api/images/variations/", owner.token(), THREE_LIGHTS);
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        String setId = created.json().get("set_id").asString();

        assertProblem(api.get("/api/images/variations/" + setId + "/", other.token()), 404, "variation_set_not_found");
        assertProblem(api.get("/api/images/variations/not-a-set/", owner.token()), 404, "variation_set_not_found");
        String jobId = created.json().get("jobs").get(0).get("job_id").asString();
        assertProblem(api.get("/api/images/variations/" + jobId + "/", owner.token()), 404, "variation_set_not_found");
        awaitSet(owner, setId);
    }

    @Test
    void anIdempotencyKeyReplayReturnsTheSameSetChargedOnce() {
        var user = e2e.newUser("hobby");
        var first = post(user, "set-key", THREE_LIGHTS);
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        String setId = first.json().get("set_id").asString();

        var replay = post(user, "set-key", THREE_LIGHTS.replace("{", "{ \"seed\": null, "));
        assertThat(replay.status()).as(replay.body()).isEqualTo(202);
        assertThat(replay.json().get("set_id").asString()).isEqualTo(setId);
        assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replay.json()
                        .get("jobs")
                        .valueStream()
                        .map(j -> j.get("job_id").asString()))
                .containsExactlyElementsOf(first.json()
                        .get("jobs")
                        .valueStream()
                        .map(j -> j.get("job_id").asString())
                        .toList());
        assertProblem(post(user, "set-key", THREE_LIGHTS.replace("dramatic", "soft")), 422, "idempotency_key_reused");
        assertProblem(post(user, "set-key", "{\"pose\":\"walking\"}"), 422, "idempotency_key_reused");
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(3);
        awaitSet(user, setId);
    }

    private ApiClient.Response post(E2ESupport.User user, String key, String body) {
        return api.post(
                "/api/images/variations/",
                user.token(),
                body,
                Map.of("Content-Type", "application/json", "Idempotency-Key", key));
    }

    private JsonNode awaitSet(E2ESupport.User user, String setId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode set = null;
        while (System.nanoTime() < deadline) {
            var response = api.get("/api/images/variations/" + setId + "/", user.token());
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            set = response.json();
            if (set.get("status").asString().equals("finished")) {
                return set;
            }
            E2ESupport.sleep(200);
        }
        throw new AssertionError("set " + setId + " did not finish; last: " + set);
    }
}
