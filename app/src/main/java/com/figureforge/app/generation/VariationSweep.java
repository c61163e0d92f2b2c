package com.figureforge.app.generation;

import com.figureforge.app.web.ApiException.FieldError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a variation set sweeps: the controls that may be varied, the checks of {@code vary}/{@code values}, and each job's request. */
final class VariationSweep {

    /** The controls a set may sweep, in the order the client offers them. */
    static final List<String> CONTROLS = List.of("camera_angle", "lighting", "pose", "body_type");

    private VariationSweep() {}

    /** Every problem with {@code vary} and {@code values}; the base fields are checked like any generation request. */
    static List<FieldError> validate(VariationSetRequest request) {
        List<FieldError> errors = new ArrayList<>();
        if (request == null) {
            errors.add(new FieldError("vary", "is required: one of " + CONTROLS));
            errors.add(new FieldError("values", "is required: " + range()));
            return errors;
        }
        String vary = request.vary();
        boolean knownControl = vary != null && CONTROLS.contains(vary);
        if (!knownControl) {
            errors.add(new FieldError("vary", (vary == null ? "is required: " : "must be ") + "one of " + CONTROLS));
        } else if (valueOf(request.base(), vary) != null) {
            errors.add(new FieldError(vary, "must be absent: it is the control the set varies"));
        }
        List<String> values = request.values();
        if (values == null || values.size() < VariationSets.MIN_VALUES || values.size() > VariationSets.MAX_VALUES) {
            errors.add(new FieldError("values", "must hold " + range()));
            return errors;
        }
        Map<String, String> vocabulary = knownControl ? FigureControls.ALL.get(vary) : Map.of();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            String field = "values[" + i + "]";
            if (value == null || (knownControl && !vocabulary.containsKey(value))) {
                if (knownControl) {
                    errors.add(new FieldError(field, "must be one of " + vocabulary.keySet()));
                } else if (value == null) {
                    errors.add(new FieldError(field, "must be a value of the varied control"));
                }
            } else if (!seen.add(value)) {
                errors.add(new FieldError(field, "repeats " + value + ": values must be distinct"));
            }
        }
        return errors;
    }

    /** The base with the swept control set to one value. */
    static GenerationRequest withValue(GenerationRequest r, String control, String value) {
        return new GenerationRequest(
                control.equals("pose") ? value : r.pose(),
                control.equals("body_type") ? value : r.bodyType(),
                r.gender(),
                r.ageRange(),
                r.clothing(),
                control.equals("camera_angle") ? value : r.cameraAngle(),
                r.shot(),
                control.equals("lighting") ? value : r.lighting(),
                r.background(),
                r.style(),
                r.prompt(),
                r.numImages(),
                r.seed(),
                r.aspectRatio(),
                r.visibility());
    }

    private static String valueOf(GenerationRequest r, String control) {
        return switch (control) {
            case "pose" -> r.pose();
            case "body_type" -> r.bodyType();
            case "camera_angle" -> r.cameraAngle();
            case "lighting" -> r.lighting();
            default -> throw new IllegalArgumentException(control);
        };
    }

    private static String range() {
        return VariationSets.MIN_VALUES + " to " + VariationSets.MAX_VALUES + " distinct values";
    }
}
