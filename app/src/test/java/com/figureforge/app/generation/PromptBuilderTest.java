package com.figureforge.app.generation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromptBuilderTest {

    private final PromptBuilder builder = new PromptBuilder();

    private static GenerationRequest request(
            String pose, String bodyType, String gender, String style, String lighting, String prompt) {
        return new GenerationRequest(
                pose,
                bodyType,
                gender,
                "adult",
                null,
                "low_angle",
                null,
                lighting,
                null,
                style,
                prompt,
                1,
                7L,
                "3:4",
                "private");
    }

    @Test
    void structuredControlsComeFirstInAFixedOrderThenTheUsersTextThenTheSuffix() {
        String prompt =
                builder.build(request("contrapposto", "athletic", "female", "charcoal", "rim", "holding a staff"));

        assertThat(prompt)
                .isEqualTo("charcoal drawing of a single adult athletic woman, standing in contrapposto, weight on one"
                        + " leg, hips and shoulders tilted, full-body shot, head to feet in frame, low-angle camera"
                        + " looking up, rim lighting outlining the figure. holding a staff. "
                        + PromptBuilder.SUFFIX + ".");
    }

    @Test
    void anEmptyRequestAsksForAStandingFullBodyPhotograph() {
        String prompt = builder.build(new GenerationRequest(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null));

        assertThat(prompt)
                .startsWith("photograph of a single person, standing upright")
                .contains("full-body shot")
                .endsWith(PromptBuilder.SUFFIX + ".");
    }

    @Test
    void everyVocabularyValueHasAPhraseInThePrompt() {
        FigureControls.POSE.forEach(
                (value, phrase) -> assertThat(builder.build(request(value, null, null, null, null, null)))
                        .contains(phrase));
        FigureControls.STYLE.forEach(
                (value, phrase) -> assertThat(builder.build(request(null, null, null, value, null, null)))
                        .startsWith(phrase + " of"));
        FigureControls.LIGHTING.forEach(
                (value, phrase) -> assertThat(builder.build(request(null, null, null, null, value, null)))
                        .contains(phrase));
    }

    @Test
    void freeTextIsTrimmedAndItsWhitespaceCollapsed() {
        String prompt = builder.build(request(null, null, null, null, null, "  dancer's\n\n  pose   with   ribbon.  "));

        assertThat(prompt).contains(". dancer's pose with ribbon. figure drawing reference");
    }

    @Test
    void theSameRequestAlwaysBuildsTheSamePrompt() {
        var request = request("jumping", "slim", "male", "ink", "dramatic", "mid-leap");
        assertThat(builder.build(request)).isEqualTo(builder.build(request));
    }
}
