package com.figureforge.app.generation;

import com.figureforge.app.config.FigureForgeProperties.Plan;
import com.figureforge.app.web.ApiException.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks a generation request against the documented vocabularies and the caller's plan; reports every problem at once. */
final class GenerationRequestValidator {

    private GenerationRequestValidator() {}

    static List<FieldError> validate(GenerationRequest request, String planId, Plan plan) {
        List<FieldError> errors = new ArrayList<>();
        check(errors, "pose", request.pose());
        check(errors, "body_type", request.bodyType());
        check(errors, "gender", request.gender());
        check(errors, "age_range", request.ageRange());
        check(errors, "clothing", request.clothing());
        check(errors, "camera_angle", request.cameraAngle());
        check(errors, "shot", request.shot());
        check(errors, "lighting", request.lighting());
        check(errors, "background", request.background());
        check(errors, "style", request.style());
        check(errors, "aspect_ratio", request.aspectRatio());
        if (request.visibility() != null && !FigureControls.VISIBILITY.contains(request.visibility())) {
            errors.add(new FieldError("visibility", "must be one of " + FigureControls.VISIBILITY));
        }
        if (request.prompt() != null && request.prompt().length() > GenerationRequest.MAX_PROMPT_LENGTH) {
            errors.add(
                    new FieldError("prompt", "must be at most " + GenerationRequest.MAX_PROMPT_LENGTH + " characters"));
        }
        if (request.numImages() != null) {
            if (request.numImages() < 1) {
                errors.add(new FieldError("num_images", "must be at least 1"));
            } else if (request.numImages() > plan.imagesPerJob()) {
                errors.add(new FieldError(
                        "num_images", "must be at most " + plan.imagesPerJob() + " on the " + planId + " plan"));
            }
        }
        if (request.seed() != null && (request.seed() < 0 || request.seed() > GenerationRequest.MAX_SEED)) {
            errors.add(new FieldError("seed", "must be between 0 and " + GenerationRequest.MAX_SEED));
        }
        return errors;
    }

    private static void check(List<FieldError> errors, String field, String value) {
        if (value == null) {
            return;
        }
        Map<String, String> vocabulary = FigureControls.ALL.get(field);
        if (!vocabulary.containsKey(value)) {
            errors.add(new FieldError(field, "must be one of " + vocabulary.keySet()));
        }
    }
}
