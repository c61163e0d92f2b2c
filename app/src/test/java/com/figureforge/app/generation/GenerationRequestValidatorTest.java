package com.figureforge.app.generation;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.app.config.FigureForgeProperties.Plan;
import com.figureforge.app.web.ApiException.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerationRequestValidatorTest {

    private static final Plan HOBBY = new Plan("Hobby", 900, 150, 2, 2, null, List.of());

    private static GenerationRequest request(String pose, String prompt, Integer numImages, Long seed, String aspect) {
        return new GenerationRequest(
                pose, null, null, null, null, null, null, null, null, null, prompt, numImages, seed, aspect, null);
    }

    @Test
    void aValidRequestHasNoErrors() {
        assertThat(GenerationRequestValidator.validate(request("sitting", "hello", 2, 0L, "16:9"), "hobby", HOBBY))
                .isEmpty();
    }

    @Test
    void everyProblemIsReportedAtOnceWithTheJsonFieldName() {
        var body = new GenerationRequest(
                "flying",
                "giant",
                "x",
                "baby",
                "nothing",
                "sideways",
                "elbow",
                "neon",
                "space",
                "vaporwave",
                "p".repeat(1001),
                3,
                -1L,
                "2:1",
                "friends");

        List<FieldError> errors = GenerationRequestValidator.validate(body, "hobby", HOBBY);

        assertThat(errors)
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder(
                        "pose",
                        "body_type",
                        "gender",
                        "age_range",
                        "clothing",
                        "camera_angle",
                        "shot",
                        "lighting",
                        "background",
                        "style",
                        "prompt",
                        "num_images",
                        "seed",
                        "aspect_ratio",
                        "visibility");
        assertThat(errors)
                .filteredOn(e -> e.field().equals("num_images"))
                .singleElement()
                .satisfies(e -> assertThat(e.message()).contains("at most 2 on the hobby plan"));
        assertThat(errors)
                .filteredOn(e -> e.field().equals("pose"))
                .singleElement()
                .satisfies(e -> assertThat(e.message()).contains("standing", "contrapposto"));
    }

    @Test
    void numImagesMustBePositiveAndSeedWithinUnsigned32Bits() {
        assertThat(GenerationRequestValidator.validate(
                        request(null, null, 0, GenerationRequest.MAX_SEED + 1, null), "hobby", HOBBY))
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder("num_images", "seed");
        assertThat(GenerationRequestValidator.validate(
                        request(null, "p".repeat(1000), 1, GenerationRequest.MAX_SEED, null), "hobby", HOBBY))
                .isEmpty();
    }
}
