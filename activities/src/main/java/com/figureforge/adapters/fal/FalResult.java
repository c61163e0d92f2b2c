package com.figureforge.adapters.fal;

import com.figureforge.workflows.generation.FalImage;
import java.util.List;

/**
 * The output of a completed text-to-image request.
 *
 * @param seed the seed fal used (0 when the model did not report one)
 * @param nsfw fal's {@code has_nsfw_concepts}, one flag per image; empty when fal did not send it
 */
public record FalResult(List<FalImage> images, long seed, List<Boolean> nsfw) {

    public FalResult {
        images = List.copyOf(images);
        nsfw = List.copyOf(nsfw);
    }
}
