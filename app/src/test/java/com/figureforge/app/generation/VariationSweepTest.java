package com.figureforge.app.generation;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.app.web.ApiException.FieldError;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VariationSweepTest {

    @Test
    void aValidSweepHasNoErrorsAndEachJobDiffersOnlyInTheSweptControl() {
        VariationSetRequest request = sweep(null, "pose", "walking", "running", "sitting");
        assertThat(VariationSweep.validate(request)).isEmpty();

        GenerationRequest base = request.base();
        GenerationRequest running = VariationSweep.withValue(base, "pose", "running");
        assertThat(running.pose()).isEqualTo("running");
        assertThat(VariationSweep.withValue(running, "pose", null)).isEqualTo(base);
        for (String control : VariationSweep.CONTROLS) {
            GenerationRequest varied = VariationSweep.withValue(base, control, "x");
            assertThat(Arrays.asList(varied.pose(), varied.bodyType(), varied.cameraAngle(), varied.lighting()))
                    .as(control)
                    .containsOnlyOnce("x");
        }
    }

    @Test
    void everyProblemOfTheSweepIsReportedWithItsField() {
        assertThat(fields(sweep(null, "hair_color", "red", "blond"))).containsExactly("vary");
        assertThat(fields(sweep(null, null, "red", "blond"))).containsExactly("vary");
        assertThat(fields(sweep(null, "lighting", "rim", "soft", "rim", "moonlight")))
                .containsExactly("values[2]", "values[3]");
        assertThat(fields(sweep(null, "lighting", "rim"))).containsExactly("values");
        assertThat(fields(sweep(null, "pose", "a", "b", "c", "d", "e", "f", "g", "h", "i")))
                .containsExactly("values");
        assertThat(fields(sweep("rim", "lighting", "soft", "dramatic"))).containsExactly("lighting");
        assertThat(fields(sweep(null, "lighting", "soft", null))).containsExactly("values[1]");
        assertThat(fields(null)).containsExactly("vary", "values");
    }

    @Test
    void aSetsIdIsDerivedFromItsFirstJobAndHasTheShapeOfAnId() {
        String job = JobIds.issue(java.time.Instant.now());
        String set = VariationSets.setIdOf(job);

        assertThat(set).isNotEqualTo(job).isEqualTo(VariationSets.setIdOf(job));
        assertThat(UUID.fromString(set).version()).isEqualTo(7);
        assertThat(UUID.fromString(set).variant()).isEqualTo(2);
        assertThat(set.substring(0, 18)).as("same time as its first job").isEqualTo(job.substring(0, 18));
    }

    private static List<String> fields(VariationSetRequest request) {
        return VariationSweep.validate(request).stream().map(FieldError::field).toList();
    }

    private static VariationSetRequest sweep(String lighting, String vary, String... values) {
        return new VariationSetRequest(
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                lighting,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                vary,
                Arrays.asList(values));
    }
}
