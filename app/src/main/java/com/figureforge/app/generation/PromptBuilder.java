package com.figureforge.app.generation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a validated request into the model prompt. Deterministic: the same request always builds the
 * same prompt, so a stored job can be repeated or varied. Structured controls come first (the model
 * weighs early words most), the user's free text after them, and a fixed reference-sheet suffix last.
 */
public final class PromptBuilder {

    static final String DEFAULT_STYLE = "photograph";
    static final String SUFFIX =
            "figure drawing reference, anatomically accurate proportions, clear readable silhouette, no text";

    public String build(GenerationRequest request) {
        String style = phrase(FigureControls.STYLE, request.style(), DEFAULT_STYLE);
        List<String> subject = new ArrayList<>();
        addIfPresent(subject, FigureControls.AGE_RANGE, request.ageRange());
        addIfPresent(subject, FigureControls.BODY_TYPE, request.bodyType());
        subject.add(phrase(FigureControls.GENDER, request.gender(), "person"));

        List<String> parts = new ArrayList<>();
        parts.add(style + " of a single " + String.join(" ", subject));
        parts.add(phrase(FigureControls.POSE, request.pose(), FigureControls.POSE.get("standing")));
        addIfPresent(parts, FigureControls.CLOTHING, request.clothing());
        parts.add(phrase(FigureControls.SHOT, request.shot(), FigureControls.SHOT.get("full_body")));
        addIfPresent(parts, FigureControls.CAMERA_ANGLE, request.cameraAngle());
        addIfPresent(parts, FigureControls.LIGHTING, request.lighting());
        addIfPresent(parts, FigureControls.BACKGROUND, request.background());

        StringBuilder prompt = new StringBuilder(String.join(", ", parts)).append('.');
        String text = request.prompt() == null ? "" : request.prompt().strip().replaceAll("\\s+", " ");
        if (!text.isEmpty()) {
            prompt.append(' ').append(text);
            if (!text.endsWith(".")) {
                prompt.append('.');
            }
        }
        return prompt.append(' ').append(SUFFIX).append('.').toString();
    }

    private static String phrase(Map<String, String> vocabulary, String value, String fallback) {
        return value == null ? fallback : vocabulary.get(value);
    }

    private static void addIfPresent(List<String> parts, Map<String, String> vocabulary, String value) {
        if (value != null) {
            parts.add(vocabulary.get(value));
        }
    }
}
