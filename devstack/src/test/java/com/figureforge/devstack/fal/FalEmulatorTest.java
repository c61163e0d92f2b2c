package com.figureforge.devstack.fal;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class FalEmulatorTest {

    private static final String MODEL = "fal-ai/flux/dev";
    private static final String KEY = "Key local-test-key";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static FalEmulator fal;

    @BeforeAll
    static void start() {
        fal = FalEmulator.start(0, Duration.ZERO, Duration.ZERO);
    }

    @AfterAll
    static void stop() {
        fal.close();
    }

    @BeforeEach
    void forgetEverything() {
        fal.reset();
    }

    @Test
    void submitAnswersWithUrlsUnderTheModelsOwnerAndAppOnly() throws Exception {
        HttpResponse<String> response = submit("{\"prompt\": \"a standing figure\", \"seed\": 3}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(response.body());
        String id = answer.get("request_id").asString();
        String requestUrl = fal.baseUrl() + "/fal-ai/flux/requests/" + id;
        assertThat(answer.get("response_url").asString()).isEqualTo(requestUrl);
        assertThat(answer.get("status_url").asString()).isEqualTo(requestUrl + "/status");
        assertThat(answer.get("cancel_url").asString()).isEqualTo(requestUrl + "/cancel");
        assertThat(answer.get("queue_position").asInt()).isZero();

        FalEmulator.Submission submission = fal.submissions().getFirst();
        assertThat(fal.submissionCount()).isEqualTo(1);
        assertThat(submission.requestId()).isEqualTo(id);
        assertThat(submission.modelId()).isEqualTo(MODEL);
        assertThat(submission.authorization()).isEqualTo(KEY);
        assertThat(submission.body())
                .containsEntry("prompt", "a standing figure")
                .containsEntry("seed", 3);
    }

    @Test
    void aRequestIsQueuedThenInProgressThenCompletedWithImages() throws Exception {
        fal.setLatency(Duration.ofMillis(400), Duration.ofMillis(400));
        JsonNode submitted = JSON.readTree(submit("""
                        {"prompt": "woman sitting, side view", "image_size": "square", "num_images": 2,
                         "output_format": "png", "seed": 7}""").body());
        String statusUrl = submitted.get("status_url").asString();
        String responseUrl = submitted.get("response_url").asString();

        HttpResponse<String> first = get(statusUrl);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(first.body()).get("status").asString()).isEqualTo("IN_QUEUE");
        HttpResponse<String> early = get(responseUrl);
        assertThat(early.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(early.body()).get("detail").asString()).isEqualTo("Request is still in progress");

        List<String> seen = new ArrayList<>();
        JsonNode status = awaitStatus(statusUrl, "COMPLETED", seen);
        assertThat(seen).containsSubsequence("IN_QUEUE", "IN_PROGRESS", "COMPLETED");
        assertThat(status.get("metrics").get("inference_time").asDouble()).isEqualTo(0.4);
        assertThat(status.has("error")).isFalse();

        HttpResponse<String> result = get(responseUrl);
        assertThat(result.statusCode()).isEqualTo(200);
        JsonNode output = JSON.readTree(result.body());
        assertThat(output.get("seed").asLong()).isEqualTo(7);
        assertThat(output.get("prompt").asString()).isEqualTo("woman sitting, side view");
        assertThat(output.get("has_nsfw_concepts").toString()).isEqualTo("[false,false]");
        assertThat(output.get("timings").get("inference").asDouble()).isEqualTo(0.4);
        JsonNode images = output.get("images");
        assertThat(images.size()).isEqualTo(2);
        byte[][] bytes = new byte[2][];
        for (int i = 0; i < 2; i++) {
            JsonNode image = images.get(i);
            assertThat(image.get("width").asInt()).isEqualTo(512);
            assertThat(image.get("height").asInt()).isEqualTo(512);
            assertThat(image.get("content_type").asString()).isEqualTo("image/png");
            HttpResponse<byte[]> file = getBytes(image.get("url").asString());
            assertThat(file.statusCode()).isEqualTo(200);
            assertThat(file.headers().firstValue("Content-Type")).hasValue("image/png");
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(file.body()));
            assertThat(decoded.getWidth()).isEqualTo(512);
            assertThat(decoded.getHeight()).isEqualTo(512);
            bytes[i] = file.body();
        }
        assertThat(bytes[0]).as("each image of a request differs").isNotEqualTo(bytes[1]);
    }

    @Test
    void statusWithLogsListsRunnerLogLines() throws Exception {
        JsonNode submitted = JSON.readTree(submit("{\"prompt\": \"running\"}").body());
        String statusUrl = submitted.get("status_url").asString();

        JsonNode withLogs = JSON.readTree(get(statusUrl + "?logs=1").body());
        JsonNode withoutLogs = JSON.readTree(get(statusUrl).body());

        assertThat(withLogs.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(withLogs.get("logs").isArray()).isTrue();
        assertThat(withLogs.get("logs").size()).isGreaterThan(0);
        assertThat(withLogs.get("logs").get(0).get("message").asString()).isNotBlank();
        assertThat(withoutLogs.get("logs").isNull()).isTrue();
    }

    @Test
    void queuePositionCountsTheRequestsAheadStillWaiting() throws Exception {
        fal.setLatency(Duration.ofSeconds(10), Duration.ZERO);
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            positions.add(JSON.readTree(submit("{\"prompt\": \"standing\"}").body())
                    .get("queue_position")
                    .asInt());
        }
        assertThat(positions).containsExactly(0, 1, 2);
    }

    @Test
    void sameSeedPromptAndSizeGiveByteIdenticalImagesAndAnotherSeedDoesNot() throws Exception {
        String body =
                "{\"prompt\": \"dancer jumping\", \"image_size\": \"square\", \"output_format\": \"png\", \"seed\": %d}";
        byte[] first = firstImage(submit(body.formatted(42)));
        byte[] second = firstImage(submit(body.formatted(42)));
        byte[] otherSeed = firstImage(submit(body.formatted(43)));

        assertThat(second).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void rendersJpegByDefaultAsFluxDoes() throws Exception {
        JsonNode output = result(submit("{\"prompt\": \"standing\", \"image_size\": \"square\"}"));
        JsonNode image = output.get("images").get(0);
        assertThat(image.get("content_type").asString()).isEqualTo("image/jpeg");

        HttpResponse<byte[]> file = getBytes(image.get("url").asString());
        assertThat(file.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(file.body()[0] & 0xFF).isEqualTo(0xFF);
        assertThat(file.body()[1] & 0xFF).isEqualTo(0xD8);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "square_hd"                     | 1024 | 1024
            "portrait_4_3"                  | 768  | 1024
            "portrait_16_9"                 | 576  | 1024
            "landscape_16_9"                | 1024 | 576
            {"width": 300, "height": 200}   | 300  | 200
            null                            | 1024 | 768
            """)
    void imageSizeIsAPresetOrWidthAndHeight(String imageSize, int width, int height) throws Exception {
        JsonNode output = result(
                submit("{\"prompt\": \"standing\", \"output_format\": \"png\", \"image_size\": " + imageSize + "}"));
        JsonNode image = output.get("images").get(0);
        assertThat(image.get("width").asInt()).isEqualTo(width);
        assertThat(image.get("height").asInt()).isEqualTo(height);

        BufferedImage decoded = ImageIO.read(
                new ByteArrayInputStream(getBytes(image.get("url").asString()).body()));
        assertThat(decoded.getWidth()).isEqualTo(width);
        assertThat(decoded.getHeight()).isEqualTo(height);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"seed": 1}                                              | ["body","prompt"]               | missing
            {"prompt": 5}                                            | ["body","prompt"]               | string_type
            {"prompt": "x", "num_images": 5}                         | ["body","num_images"]           | less_than_equal
            {"prompt": "x", "num_images": 0}                         | ["body","num_images"]           | greater_than_equal
            {"prompt": "x", "image_size": "huge"}                    | ["body","image_size"]           | enum
            {"prompt": "x", "image_size": {"width": 0, "height": 9}} | ["body","image_size","width"]   | greater_than
            {"prompt": "x", "image_size": {"width": 64}}             | ["body","image_size","height"]  | missing
            {"prompt": "x", "num_inference_steps": 51}               | ["body","num_inference_steps"]  | less_than_equal
            {"prompt": "x", "guidance_scale": "high"}                | ["body","guidance_scale"]       | float_type
            {"prompt": "x", "output_format": "gif"}                  | ["body","output_format"]        | enum
            {"prompt": "x", "enable_safety_checker": "no"}           | ["body","enable_safety_checker"] | bool_type
            not json                                                 | ["body"]                        | json_invalid
            """)
    void invalidInputIsRefusedWithFastApiStyle422(String body, String loc, String type) throws Exception {
        HttpResponse<String> response = submit(body);

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode detail = JSON.readTree(response.body()).get("detail");
        assertThat(detail.isArray()).isTrue();
        assertThat(detail.get(0).get("loc").toString()).isEqualTo(loc);
        assertThat(detail.get(0).get("type").asString()).isEqualTo(type);
        assertThat(detail.get(0).get("msg").asString()).isNotBlank();
        assertThat(fal.submissionCount()).isZero();
        assertThat(fal.submitAttempts()).isEqualTo(1);
    }

    @Test
    void everyQueueCallNeedsAKey() throws Exception {
        String statusUrl = JSON.readTree(submit("{\"prompt\": \"standing\"}").body())
                .get("status_url")
                .asString();
        for (String authorization : new String[] {null, "Bearer abc", "Key ", "key"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fal.baseUrl() + "/" + MODEL))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"standing\"}"));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            assertThat(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .as(String.valueOf(authorization))
                    .isEqualTo(401);
        }
        HttpResponse<String> statusWithoutKey = HTTP.send(
                HttpRequest.newBuilder(URI.create(statusUrl)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(statusWithoutKey.statusCode()).isEqualTo(401);
        assertThat(fal.submissionCount()).isEqualTo(1);
    }

    @Test
    void unknownRequestsAndUrlsBuiltFromTheFullModelIdAre404() throws Exception {
        String id = JSON.readTree(submit("{\"prompt\": \"standing\"}").body())
                .get("request_id")
                .asString();

        assertThat(get(fal.baseUrl() + "/fal-ai/flux/requests/no-such-id/status")
                        .statusCode())
                .isEqualTo(404);
        assertThat(get(fal.baseUrl() + "/fal-ai/flux/dev/requests/" + id + "/status")
                        .statusCode())
                .isEqualTo(404);
        assertThat(get(fal.baseUrl() + "/fal-ai/other/requests/" + id).statusCode())
                .isEqualTo(404);
        HttpResponse<String> cancel = put(fal.baseUrl() + "/fal-ai/flux/requests/no-such-id/cancel");
        assertThat(cancel.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(cancel.body()).get("status").asString()).isEqualTo("NOT_FOUND");
    }

    @Test
    void cancelRemovesAQueuedRequestSoItNeverRuns() throws Exception {
        fal.setLatency(Duration.ofSeconds(30), Duration.ZERO);
        JsonNode submitted = JSON.readTree(submit("{\"prompt\": \"standing\"}").body());

        HttpResponse<String> cancel = put(submitted.get("cancel_url").asString());
        assertThat(cancel.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(cancel.body()).get("status").asString()).isEqualTo("CANCELLATION_REQUESTED");

        HttpResponse<String> status = get(submitted.get("status_url").asString());
        JsonNode statusBody = JSON.readTree(status.body());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(statusBody.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(statusBody.get("error_type").asString()).isEqualTo("client_cancelled");
        HttpResponse<String> result = get(submitted.get("response_url").asString());
        assertThat(result.statusCode()).isEqualTo(499);
        assertThat(result.headers().firstValue("X-Fal-Error-Type")).hasValue("client_cancelled");

        HttpResponse<String> again = put(submitted.get("cancel_url").asString());
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(again.body()).get("status").asString()).isEqualTo("ALREADY_COMPLETED");
        assertThat(fal.cancellations())
                .extracting(FalEmulator.Cancellation::answer)
                .containsExactly("CANCELLATION_REQUESTED", "ALREADY_COMPLETED");
    }

    @Test
    void cancellingARunningRequestLetsItFinish() throws Exception {
        fal.setLatency(Duration.ZERO, Duration.ofMillis(500));
        JsonNode submitted = JSON.readTree(submit("{\"prompt\": \"walking\"}").body());
        String statusUrl = submitted.get("status_url").asString();
        awaitStatus(statusUrl, "IN_PROGRESS", new ArrayList<>());

        HttpResponse<String> cancel = put(submitted.get("cancel_url").asString());
        assertThat(cancel.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(cancel.body()).get("status").asString()).isEqualTo("CANCELLATION_REQUESTED");

        awaitStatus(statusUrl, "COMPLETED", new ArrayList<>());
        HttpResponse<String> result = get(submitted.get("response_url").asString());
        assertThat(result.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(result.body()).get("images").size()).isEqualTo(1);
        assertThat(put(submitted.get("cancel_url").asString()).statusCode()).isEqualTo(400);
    }

    @Test
    void injectedSubmitFailuresAnswerWithTheGivenStatusThenRecover() throws Exception {
        fal.failNextSubmits(2, 429);
        HttpResponse<String> first = submit("{\"prompt\": \"standing\"}");
        HttpResponse<String> second = submit("{\"prompt\": \"standing\"}");
        HttpResponse<String> third = submit("{\"prompt\": \"standing\"}");

        assertThat(first.statusCode()).isEqualTo(429);
        assertThat(first.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(JSON.readTree(first.body()).get("detail").asString()).isNotBlank();
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(fal.submitAttempts()).isEqualTo(3);
        assertThat(fal.submissionCount()).isEqualTo(1);

        fal.failNextSubmits(1, 503);
        HttpResponse<String> unavailable = submit("{\"prompt\": \"standing\"}");
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Retry-After")).isEmpty();
    }

    @Test
    void injectedPollFailuresHitStatusAndResultCalls() throws Exception {
        JsonNode submitted = JSON.readTree(submit("{\"prompt\": \"standing\"}").body());
        fal.failNextPolls(2, 500);

        assertThat(get(submitted.get("status_url").asString()).statusCode()).isEqualTo(500);
        assertThat(get(submitted.get("response_url").asString()).statusCode()).isEqualTo(500);
        assertThat(get(submitted.get("status_url").asString()).statusCode()).isEqualTo(200);
        assertThat(get(submitted.get("response_url").asString()).statusCode()).isEqualTo(200);
    }

    @Test
    void promptsWithARefusedWordGetAContentPolicy422() throws Exception {
        fal.rejectPromptsContaining("forbidden");

        HttpResponse<String> refused = submit("{\"prompt\": \"A FORBIDDEN pose\"}");
        assertThat(refused.statusCode()).isEqualTo(422);
        JsonNode detail = JSON.readTree(refused.body()).get("detail").get(0);
        assertThat(detail.get("type").asString()).isEqualTo("content_policy_violation");
        assertThat(detail.get("loc").toString()).isEqualTo("[\"body\",\"prompt\"]");
        assertThat(submit("{\"prompt\": \"an allowed pose\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void nsfwFlaggedPromptsGetABlackImageWhenTheSafetyCheckerIsOn() throws Exception {
        fal.flagNsfwPromptsContaining("nsfw");

        JsonNode flagged =
                result(submit("{\"prompt\": \"nsfw figure\", \"output_format\": \"png\", \"image_size\": \"square\"}"));
        assertThat(flagged.get("has_nsfw_concepts").toString()).isEqualTo("[true]");
        BufferedImage black = ImageIO.read(new ByteArrayInputStream(
                getBytes(flagged.get("images").get(0).get("url").asString()).body()));
        assertThat(black.getWidth()).isEqualTo(512);
        for (int y = 0; y < black.getHeight(); y += 7) {
            for (int x = 0; x < black.getWidth(); x += 7) {
                assertThat(black.getRGB(x, y) & 0xFFFFFF).isZero();
            }
        }

        JsonNode unchecked =
                result(submit("{\"prompt\": \"nsfw figure\", \"output_format\": \"png\", \"image_size\": \"square\","
                        + " \"enable_safety_checker\": false}"));
        assertThat(unchecked.get("has_nsfw_concepts").toString()).isEqualTo("[false]");
        BufferedImage drawn = ImageIO.read(new ByteArrayInputStream(
                getBytes(unchecked.get("images").get(0).get("url").asString()).body()));
        assertThat(drawn.getRGB(0, 0) & 0xFFFFFF).isNotZero();
    }

    @Test
    void neverFinishingRequestsStayInProgress() throws Exception {
        fal.setLatency(Duration.ZERO, Duration.ofMillis(50));
        fal.setNeverFinish(true);
        JsonNode submitted = JSON.readTree(submit("{\"prompt\": \"standing\"}").body());

        Thread.sleep(300);
        HttpResponse<String> status = get(submitted.get("status_url").asString());
        assertThat(status.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(status.body()).get("status").asString()).isEqualTo("IN_PROGRESS");
        assertThat(get(submitted.get("response_url").asString()).statusCode()).isEqualTo(400);
    }

    @Test
    void aFailedRunCompletesWithAnErrorAndItsResultIsTheRunnersError() throws Exception {
        fal.failNextRuns(1);
        JsonNode failed = JSON.readTree(submit("{\"prompt\": \"standing\"}").body());

        JsonNode status = JSON.readTree(get(failed.get("status_url").asString()).body());
        assertThat(status.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(status.get("error").asString()).isNotBlank();
        assertThat(status.get("error_type").asString()).isEqualTo("runner_server_error");
        HttpResponse<String> result = get(failed.get("response_url").asString());
        assertThat(result.statusCode()).isEqualTo(500);
        assertThat(result.headers().firstValue("X-Fal-Error-Type")).hasValue("runner_server_error");
        assertThat(JSON.readTree(result.body()).get("detail").asString()).isNotBlank();

        assertThat(get(JSON.readTree(submit("{\"prompt\": \"standing\"}").body())
                                .get("response_url")
                                .asString())
                        .statusCode())
                .as("only the next run fails")
                .isEqualTo(200);
    }

    @Test
    void faultsCanBeSetAndResetOverHttp() throws Exception {
        String faultsUrl = fal.baseUrl() + "/_emulator/faults";
        HttpResponse<String> set =
                send(HttpRequest.newBuilder(URI.create(faultsUrl)).POST(HttpRequest.BodyPublishers.ofString("""
                        {"queue_time_ms": 0, "run_time_ms": 250,
                         "fail_next_submits": {"count": 1, "status": 503},
                         "reject_prompts_containing": ["banana"]}""")));
        assertThat(set.statusCode()).isEqualTo(200);
        JsonNode current = JSON.readTree(get(faultsUrl).body());
        assertThat(current.get("run_time_ms").asInt()).isEqualTo(250);
        assertThat(current.get("fail_next_submits").get("count").asInt()).isEqualTo(1);
        assertThat(current.get("reject_prompts_containing").toString()).isEqualTo("[\"banana\"]");

        assertThat(submit("{\"prompt\": \"standing\"}").statusCode()).isEqualTo(503);
        assertThat(submit("{\"prompt\": \"banana pose\"}").statusCode()).isEqualTo(422);

        HttpResponse<String> invalid = send(HttpRequest.newBuilder(URI.create(faultsUrl))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"never_finish\": true, \"fail_next_polls\": {\"count\": -1, \"status\": 500}}")));
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(get(faultsUrl).body()).get("never_finish").asBoolean())
                .as("a refused update changes nothing")
                .isFalse();

        assertThat(send(HttpRequest.newBuilder(URI.create(faultsUrl)).DELETE()).statusCode())
                .isEqualTo(200);
        JsonNode afterReset = JSON.readTree(get(faultsUrl).body());
        assertThat(afterReset.get("run_time_ms").asInt()).isZero();
        assertThat(afterReset.get("reject_prompts_containing").size()).isZero();
        assertThat(submit("{\"prompt\": \"banana pose\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void resetForgetsRequestsAndRecords() throws Exception {
        JsonNode submitted = JSON.readTree(submit("{\"prompt\": \"standing\"}").body());
        put(submitted.get("cancel_url").asString());

        fal.reset();

        assertThat(fal.submissions()).isEmpty();
        assertThat(fal.cancellations()).isEmpty();
        assertThat(fal.submitAttempts()).isZero();
        assertThat(get(submitted.get("status_url").asString()).statusCode()).isEqualTo(404);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static HttpResponse<String> submit(String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(fal.baseUrl() + "/" + MODEL))
                .header("Authorization", KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", KEY)
                .GET());
    }

    private static HttpResponse<String> put(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", KEY)
                .PUT(HttpRequest.BodyPublishers.noBody()));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> getBytes(String url) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Polls until {@code wanted}, recording each distinct status seen in order. */
    private static JsonNode awaitStatus(String statusUrl, String wanted, List<String> seen) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = get(statusUrl);
            assertThat(response.statusCode()).as(response.body()).isIn(200, 202);
            JsonNode status = JSON.readTree(response.body());
            String name = status.get("status").asString();
            if (seen.isEmpty() || !seen.getLast().equals(name)) {
                seen.add(name);
            }
            if (name.equals(wanted)) {
                return status;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("status never became " + wanted + "; saw " + seen);
    }

    private static JsonNode result(HttpResponse<String> submitted) throws Exception {
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(submitted.body());
        awaitStatus(answer.get("status_url").asString(), "COMPLETED", new ArrayList<>());
        HttpResponse<String> result = get(answer.get("response_url").asString());
        assertThat(result.statusCode()).as(result.body()).isEqualTo(200);
        return JSON.readTree(result.body());
    }

    private static byte[] firstImage(HttpResponse<String> submitted) throws Exception {
        HttpResponse<byte[]> file =
                getBytes(result(submitted).get("images").get(0).get("url").asString());
        assertThat(file.statusCode()).isEqualTo(200);
        return file.body();
    }
}
