package com.figureforge.devstack.fal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The FLUX text-to-image input ({@code fal-ai/flux/dev} and friends) after validation, with fal's
 * defaults filled in. Validation errors use the FastAPI/pydantic shape fal answers with on 422.
 */
record FluxInput(
        String prompt,
        int width,
        int height,
        int numInferenceSteps,
        Long seed,
        double guidanceScale,
        int numImages,
        boolean enableSafetyChecker,
        OutputFormat outputFormat) {

    /** fal's named sizes (width x height). */
    static final Map<String, int[]> IMAGE_SIZE_PRESETS = presets();

    static final String DEFAULT_IMAGE_SIZE = "landscape_4_3";

    /**
     * fal accepts custom sides up to 14142 px; the emulator stops at 4096 so a typo cannot make it
     * allocate gigabytes. Our app only asks for presets and aspect ratios well below this.
     */
    static final int MAX_SIDE = 4096;

    enum OutputFormat {
        JPEG("jpeg", "image/jpeg", "jpg"),
        PNG("png", "image/png", "png");

        final String wireName;
        final String contentType;
        final String fileExtension;

        OutputFormat(String wireName, String contentType, String fileExtension) {
            this.wireName = wireName;
            this.contentType = contentType;
            this.fileExtension = fileExtension;
        }
    }

    /** One entry of a 422 {@code detail} array. {@code ctx} may be empty. */
    record Violation(List<Object> loc, String msg, String type, Map<String, Object> ctx) {
        Violation(List<Object> loc, String msg, String type) {
            this(loc, msg, type, Map.of());
        }
    }

    /** Parses {@code body}; returns null and fills {@code violations} when the input is refused. */
    static FluxInput parse(JsonNode body, List<Violation> violations) {
        if (body == null || !body.isObject()) {
            violations.add(new Violation(
                    List.of("body"),
                    "Input should be a valid dictionary or object to extract fields from",
                    "model_attributes_type"));
            return null;
        }
        int before = violations.size();
        String prompt = null;
        JsonNode promptNode = body.get("prompt");
        if (promptNode == null || promptNode.isNull()) {
            violations.add(new Violation(List.of("body", "prompt"), "Field required", "missing"));
        } else if (!promptNode.isString()) {
            violations.add(new Violation(List.of("body", "prompt"), "Input should be a valid string", "string_type"));
        } else {
            prompt = promptNode.stringValue();
        }
        int[] size = parseImageSize(body.get("image_size"), violations);
        int steps = intInRange(body, "num_inference_steps", 28, 1, 50, violations);
        Long seed = null;
        JsonNode seedNode = body.get("seed");
        if (seedNode != null && !seedNode.isNull()) {
            if (seedNode.isIntegralNumber() && seedNode.canConvertToLong()) {
                seed = seedNode.longValue();
            } else {
                violations.add(new Violation(List.of("body", "seed"), "Input should be a valid integer", "int_type"));
            }
        }
        double guidance = 3.5;
        JsonNode guidanceNode = body.get("guidance_scale");
        if (guidanceNode != null && !guidanceNode.isNull()) {
            if (!guidanceNode.isNumber()) {
                violations.add(new Violation(
                        List.of("body", "guidance_scale"), "Input should be a valid number", "float_type"));
            } else {
                guidance = guidanceNode.doubleValue();
                checkRange("guidance_scale", guidance, 1, 20, violations);
            }
        }
        int numImages = intInRange(body, "num_images", 1, 1, 4, violations);
        boolean safetyChecker = true;
        JsonNode safetyNode = body.get("enable_safety_checker");
        if (safetyNode != null && !safetyNode.isNull()) {
            if (safetyNode.isBoolean()) {
                safetyChecker = safetyNode.booleanValue();
            } else {
                violations.add(new Violation(
                        List.of("body", "enable_safety_checker"), "Input should be a valid boolean", "bool_type"));
            }
        }
        OutputFormat format = OutputFormat.JPEG;
        JsonNode formatNode = body.get("output_format");
        if (formatNode != null && !formatNode.isNull()) {
            String name = formatNode.isString() ? formatNode.stringValue() : null;
            if ("png".equals(name)) {
                format = OutputFormat.PNG;
            } else if (!"jpeg".equals(name)) {
                violations.add(new Violation(
                        List.of("body", "output_format"),
                        "Input should be 'jpeg' or 'png'",
                        "enum",
                        Map.of("expected", "'jpeg' or 'png'")));
            }
        }
        if (violations.size() > before) {
            return null;
        }
        return new FluxInput(prompt, size[0], size[1], steps, seed, guidance, numImages, safetyChecker, format);
    }

    private static int[] parseImageSize(JsonNode node, List<Violation> violations) {
        if (node == null || node.isNull()) {
            return IMAGE_SIZE_PRESETS.get(DEFAULT_IMAGE_SIZE);
        }
        if (node.isString()) {
            int[] preset = IMAGE_SIZE_PRESETS.get(node.stringValue());
            if (preset == null) {
                String expected = String.join(
                        ", ",
                        IMAGE_SIZE_PRESETS.keySet().stream()
                                .map(k -> "'" + k + "'")
                                .toList());
                violations.add(new Violation(
                        List.of("body", "image_size"),
                        "Input should be " + expected,
                        "enum",
                        Map.of("expected", expected)));
                return new int[] {0, 0};
            }
            return preset;
        }
        if (node.isObject()) {
            int width = side(node, "width", violations);
            int height = side(node, "height", violations);
            return new int[] {width, height};
        }
        violations.add(new Violation(
                List.of("body", "image_size"),
                "Input should be a valid dictionary or a named image size",
                "union_type"));
        return new int[] {0, 0};
    }

    private static int side(JsonNode size, String field, List<Violation> violations) {
        List<Object> loc = List.of("body", "image_size", field);
        JsonNode node = size.get(field);
        if (node == null || node.isNull()) {
            violations.add(new Violation(loc, "Field required", "missing"));
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            violations.add(new Violation(loc, "Input should be a valid integer", "int_type"));
            return 0;
        }
        int value = node.intValue();
        if (value <= 0) {
            violations.add(new Violation(loc, "Input should be greater than 0", "greater_than", Map.of("gt", 0)));
        } else if (value > MAX_SIDE) {
            violations.add(new Violation(
                    loc,
                    "Input should be less than or equal to " + MAX_SIDE,
                    "less_than_equal",
                    Map.of("le", MAX_SIDE)));
        }
        return value;
    }

    private static int intInRange(
            JsonNode body, String field, int fallback, int min, int max, List<Violation> violations) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            violations.add(new Violation(List.of("body", field), "Input should be a valid integer", "int_type"));
            return fallback;
        }
        int value = node.intValue();
        checkRange(field, value, min, max, violations);
        return value;
    }

    private static void checkRange(String field, double value, int min, int max, List<Violation> violations) {
        List<Object> loc = List.of("body", field);
        if (value < min) {
            violations.add(new Violation(
                    loc, "Input should be greater than or equal to " + min, "greater_than_equal", Map.of("ge", min)));
        } else if (value > max) {
            violations.add(new Violation(
                    loc, "Input should be less than or equal to " + max, "less_than_equal", Map.of("le", max)));
        }
    }

    private static Map<String, int[]> presets() {
        Map<String, int[]> presets = new LinkedHashMap<>();
        presets.put("square_hd", new int[] {1024, 1024});
        presets.put("square", new int[] {512, 512});
        presets.put("portrait_4_3", new int[] {768, 1024});
        presets.put("portrait_16_9", new int[] {576, 1024});
        presets.put("landscape_4_3", new int[] {1024, 768});
        presets.put("landscape_16_9", new int[] {1024, 576});
        return Collections.unmodifiableMap(presets);
    }
}
