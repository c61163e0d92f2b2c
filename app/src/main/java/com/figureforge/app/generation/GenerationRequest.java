package com.figureforge.app.generation;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The body of {@code POST /api/images/generate/}: structured controls, each optional and from a
 * documented set (see {@link FigureControls}), plus free text. Unknown fields are rejected.
 */
@Schema(description = "A figure to generate. Every field is optional; an empty body asks for a standing figure.")
public record GenerationRequest(
        @Schema(example = "contrapposto") String pose,
        @Schema(example = "athletic") String bodyType,
        @Schema(example = "female") String gender,
        @Schema(example = "adult") String ageRange,
        @Schema(example = "leotard") String clothing,
        @Schema(example = "low_angle") String cameraAngle,
        @Schema(example = "full_body") String shot,
        @Schema(example = "rim") String lighting,
        @Schema(example = "plain_gray") String background,
        @Schema(example = "photo") String style,

        @Schema(description = "Free text added to the prompt, at most 1000 characters")
        String prompt,

        @Schema(description = "1 to the plan's images per job", example = "1")
        Integer numImages,

        @Schema(description = "0 to 4294967295; random when absent")
        Long seed,

        @Schema(example = "3:4") String aspectRatio,

        @Schema(description = "private or public; the user's default when absent")
        String visibility) {

    public static final int MAX_PROMPT_LENGTH = 1000;
    public static final long MAX_SEED = 4_294_967_295L;
}
