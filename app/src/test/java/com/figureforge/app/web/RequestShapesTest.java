package com.figureforge.app.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.app.generation.JobIds;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestShapesTest {

    @Test
    void issuedJobIdsPass() {
        for (int i = 0; i < 100; i++) {
            String id = JobIds.issue(Instant.now());
            assertThat(RequestShapes.jobId(id)).isEqualTo(id);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "no-such-job",
                "0190a6a0-7b1c-7abc-8def-0123456789ab-0", // an image id, not a job id
                "0190A6A0-7B1C-7ABC-8DEF-0123456789AB", // ours are lowercase
                "0190a6a0-7b1c-4abc-8def-0123456789ab", // version 4
                "0190a6a0-7b1c-7abc-cdef-0123456789ab", // not the RFC variant
                "0190a6a0-7b1c-7abc-8def-0123456789a\u00e9",
                "JOB#0190a6a0-7b1c-7abc-8def-0123456789ab"
            })
    void anythingElseIsAnUnknownJob(String id) {
        assertThatThrownBy(() -> RequestShapes.jobId(id))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.JOB_NOT_FOUND));
    }

    @Test
    void aVeryLongIdIsAnUnknownJobNotAStoreError() {
        assertThatThrownBy(() -> RequestShapes.jobId("a".repeat(3000)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.JOB_NOT_FOUND));
        assertThatThrownBy(() -> RequestShapes.jobId(null)).isInstanceOf(ApiException.class);
    }

    @Test
    void cursorsOfTheIssuedAlphabetPassAndNoCursorIsTheFirstPage() {
        String issued = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("1:IMG#1732838400000#" + UUID.randomUUID() + "-0").getBytes());
        assertThat(RequestShapes.cursor(issued)).isEqualTo(issued);
        assertThat(RequestShapes.cursor(null)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a+b", "a/b", "abc=", "not a cursor", "\u00e9t\u00e9", "%00"})
    void cursorsOutsideTheAlphabetAreInvalid(String cursor) {
        assertThatThrownBy(() -> RequestShapes.cursor(cursor))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CURSOR));
    }

    @Test
    void aCursorLongerThanAnyIssuedOneIsInvalid() {
        assertThat(RequestShapes.cursor("A".repeat(1024))).hasSize(1024);
        assertThatThrownBy(() -> RequestShapes.cursor("A".repeat(1025)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CURSOR));
    }

    @Test
    void checkoutSessionIdsLookLikeStripes() {
        assertThat(RequestShapes.checkoutSessionId("cs_test_a1B2c3")).isEqualTo("cs_test_a1B2c3");
        for (String id : new String[] {"sub_123", "cs_", "cs_a b", "cs_" + "x".repeat(251), "CS_test"}) {
            assertThatThrownBy(() -> RequestShapes.checkoutSessionId(id))
                    .as(id)
                    .isInstanceOfSatisfying(
                            ApiException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.CHECKOUT_SESSION_NOT_FOUND));
        }
    }
}
