package com.figureforge.adapters.fal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.figureforge.adapters.fal.FalAnswers.Operation;
import com.figureforge.workflows.FailureType;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The mapping of fal's answers to {@link FalException}: answers as fal and the proxies before it send them. */
class FalAnswersTest {

    private static final HttpHeaders NO_HEADERS = headers(Map.of());

    private static HttpHeaders headers(Map<String, String> values) {
        Map<String, List<String>> lists = new java.util.HashMap<>();
        values.forEach((name, value) -> lists.put(name, List.of(value)));
        return HttpHeaders.of(lists, (name, value) -> true);
    }

    private static byte[] body(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void contentPolicy422IsInputRejectedWithFalsMessage() {
        FalException error = FalAnswers.failure(Operation.SUBMIT, 422, NO_HEADERS, body("""
                {"detail":[{"loc":["body","prompt"],"msg":"The content was flagged by a content checker.",
                  "type":"content_policy_violation","url":"https://docs.fal.ai/errors#content_policy_violation",
                  "input":"...","categories":["sexual"]}]}"""));

        assertThat(error.type()).isEqualTo(FailureType.FAL_INPUT_REJECTED);
        assertThat(error.contentPolicy()).isTrue();
        assertThat(error.httpStatus()).isEqualTo(422);
        assertThat(error.getMessage()).isEqualTo("The content was flagged by a content checker.");
    }

    @Test
    void validation422IsInputRejectedButNotContentPolicy() {
        FalException error = FalAnswers.failure(Operation.SUBMIT, 422, NO_HEADERS, body("""
                {"detail":[{"loc":["body","num_images"],"msg":"ensure this value is less than or equal to 4",
                  "type":"value_error.number.not_le"}]}"""));

        assertThat(error.type()).isEqualTo(FailureType.FAL_INPUT_REJECTED);
        assertThat(error.contentPolicy()).isFalse();
        assertThat(error.getMessage()).isEqualTo("ensure this value is less than or equal to 4");
    }

    @Test
    void result422IsInputRejectedToo() {
        FalException error = FalAnswers.failure(Operation.RESULT, 422, NO_HEADERS, body("""
                {"detail":[{"loc":["body","prompt"],"msg":"flagged","type":"content_policy_violation"}]}"""));

        assertThat(error.type()).isEqualTo(FailureType.FAL_INPUT_REJECTED);
        assertThat(error.contentPolicy()).isTrue();
    }

    @Test
    void empty422SaysTheInputWasRejected() {
        FalException error = FalAnswers.failure(Operation.SUBMIT, 422, NO_HEADERS, body("""
                {"error_type":"content_policy_violation"}"""));

        assertThat(error.contentPolicy()).isTrue();
        assertThat(error.getMessage()).isEqualTo("fal.ai rejected the input (content policy)");
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504, 429, 408})
    void serverErrorsAndThrottlingAreUnavailable(int status) {
        FalException error = FalAnswers.failure(Operation.SUBMIT, status, NO_HEADERS, body("""
                {"detail":"try later"}"""));

        assertThat(error.type()).isEqualTo(FailureType.FAL_UNAVAILABLE);
        assertThat(error.type().retryable()).isTrue();
        assertThat(error.httpStatus()).isEqualTo(status);
        assertThat(error.getMessage()).isEqualTo("fal.ai submit answered HTTP " + status + ": try later");
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404})
    void otherClientErrorsAreRequestFailed(int status) {
        FalException error = FalAnswers.failure(Operation.SUBMIT, status, NO_HEADERS, body("""
                {"detail":"No user found for Key ID and Secret"}"""));

        assertThat(error.type()).isEqualTo(FailureType.FAL_REQUEST_FAILED);
        assertThat(error.retryAfter()).isNull();
        assertThat(error.getMessage()).contains("HTTP " + status).contains("No user found");
    }

    @Test
    void aBodyThatIsNotJsonIsQuoted() {
        FalException error = FalAnswers.failure(
                Operation.STATUS, 503, NO_HEADERS, body("<html>Service Unavailable</html>" + "x".repeat(400)));

        assertThat(error.type()).isEqualTo(FailureType.FAL_UNAVAILABLE);
        assertThat(error.getMessage())
                .startsWith("fal.ai status answered HTTP 503: <html>Service Unavailable</html>")
                .endsWith("...")
                .hasSizeLessThan(400);
    }

    @Test
    void resultThatIsTheStoredErrorOfAFailedRequestIsRequestFailed() {
        FalException error = FalAnswers.failure(Operation.RESULT, 504, NO_HEADERS, body("""
                        {"detail":"Request timed out","error_type":"request_timeout"}"""));

        assertThat(error.type()).isEqualTo(FailureType.FAL_REQUEST_FAILED);
        assertThat(error.falErrorType()).isEqualTo("request_timeout");
        assertThat(error.getMessage()).contains("Request timed out");
    }

    @Test
    void theErrorTypeHeaderWinsOverTheBody() {
        FalException error = FalAnswers.failure(
                Operation.STATUS, 500, headers(Map.of(FalAnswers.ERROR_TYPE_HEADER, "runner_disconnected")), body("""
                        {"detail":"oops","error_type":"internal_error"}"""));

        assertThat(error.falErrorType()).isEqualTo("runner_disconnected");
        // only a result is the stored outcome of a failed request; a status call may be asked again
        assertThat(error.type()).isEqualTo(FailureType.FAL_UNAVAILABLE);
    }

    @Test
    void resultGatewayErrorWithoutFalErrorTypeIsUnavailable() {
        FalException error = FalAnswers.failure(Operation.RESULT, 502, NO_HEADERS, body("bad gateway"));

        assertThat(error.type()).isEqualTo(FailureType.FAL_UNAVAILABLE);
        assertThat(error.getMessage()).isEqualTo("fal.ai result answered HTTP 502: bad gateway");
    }

    @Test
    void retryAfterInSecondsIsKeptAndCappedAtAMinute() {
        assertThat(FalAnswers.failure(Operation.SUBMIT, 429, headers(Map.of("Retry-After", " 7 ")), body(""))
                        .retryAfter())
                .isEqualTo(Duration.ofSeconds(7));
        assertThat(FalAnswers.failure(Operation.SUBMIT, 503, headers(Map.of("Retry-After", "3600")), body(""))
                        .retryAfter())
                .isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void retryAfterThatIsADateOrNegativeOrOnAFinalFailureIsIgnored() {
        assertThat(FalAnswers.failure(
                                Operation.SUBMIT,
                                503,
                                headers(Map.of("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT")),
                                body(""))
                        .retryAfter())
                .isNull();
        assertThat(FalAnswers.failure(Operation.SUBMIT, 429, headers(Map.of("Retry-After", "-1")), body(""))
                        .retryAfter())
                .isNull();
        assertThat(FalAnswers.failure(Operation.SUBMIT, 400, headers(Map.of("Retry-After", "5")), body(""))
                        .retryAfter())
                .isNull();
    }

    @Test
    void detailMessagesAreJoinedOnceEach() {
        FalException error = FalAnswers.failure(Operation.SUBMIT, 400, NO_HEADERS, body("""
                {"detail":[{"msg":"too long"},"bad seed",{"msg":"too long"},{"msg":" "}]}"""));

        assertThat(error.getMessage()).isEqualTo("fal.ai submit answered HTTP 400: too long; bad seed");
    }

    @Test
    void aSuccessBodyThatIsNotAJsonObjectIsUnavailable() {
        for (String answer : List.of("<html>proxy login</html>", "[1,2]", "")) {
            FalException error = catchThrowableOfType(
                    FalException.class, () -> FalAnswers.object(Operation.SUBMIT, 200, body(answer)));

            assertThat(error.type()).isEqualTo(FailureType.FAL_UNAVAILABLE);
            assertThat(error.httpStatus()).isEqualTo(200);
        }
        assertThat(FalAnswers.object(Operation.SUBMIT, 200, body("{\"request_id\":\"r\"}"))
                        .path("request_id")
                        .asString())
                .isEqualTo("r");
    }

    @Test
    void noAnswerIsUnavailable() {
        FalException error = FalAnswers.unavailable(Operation.CANCEL, "timed out after 300 ms", null);

        assertThat(error.type()).isEqualTo(FailureType.FAL_UNAVAILABLE);
        assertThat(error.httpStatus()).isZero();
        assertThat(error.getMessage()).isEqualTo("fal.ai cancel timed out after 300 ms");
    }
}
