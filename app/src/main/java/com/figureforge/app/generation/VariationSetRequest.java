package com.figureforge.app.generation;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * The body of {@code POST /api/images/variations/}: a generation request (the base, every field as in
 * {@link GenerationRequest}) plus the control to sweep and its values. The base's seed is used by every
 * job; without one it is drawn once for the whole set.
 */
@Schema(
        description = "A generation request (the base; same fields and rules as POST /api/images/generate/) plus"
                + " `vary` and `values`: one job per value, every other control and the seed the same.")
public record VariationSetRequest(
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

        @Schema(description = "Free text added to every prompt, at most 1000 characters")
        String prompt,

        @Schema(
                description = "Images per job, 1 to the plan's images per job; the set costs values x this",
                example = "1")
        Integer numImages,

        @Schema(description = "0 to 4294967295, shared by every job; drawn once when absent")
        Long seed,

        @Schema(example = "3:4") String aspectRatio,

        @Schema(description = "private or public; the user's default when absent")
        String visibility,

        @Schema(
                description = "The control to sweep; it must not also be set in the base",
                allowableValues = {"camera_angle", "lighting", "pose", "body_type"},
                example = "lighting")
        String vary,

        @ArraySchema(
                arraySchema =
                        @Schema(description = "2 to 8 distinct values of the swept control, in the order of the set"),
                schema = @Schema(type = "string", example = "rim"),
                minItems = VariationSets.MIN_VALUES,
                maxItems = VariationSets.MAX_VALUES)
        List<String> values) {

    /** The request every job starts from: this body without {@code vary} and {@code values}. */
    GenerationRequest base() {
        return new GenerationRequest(
                pose,
                bodyType,
                gender,
                ageRange,
                clothing,
                cameraAngle,
                shot,
                lighting,
                background,
                style,
                prompt,
                numImages,
                seed,
                aspectRatio,
                visibility);
    }
}
