package com.figureforge.workflows.generation;

/**
 * What we ask a fal.ai text-to-image model for; the fields map one to one onto its input JSON.
 *
 * @param modelId fal model id, e.g. {@code fal-ai/flux/dev}
 * @param imageSize a fal preset such as {@code portrait_4_3}
 */
public record FalImageRequest(
        String modelId,
        String prompt,
        String imageSize,
        long seed,
        int numImages,
        boolean enableSafetyChecker,
        String outputFormat) {}
