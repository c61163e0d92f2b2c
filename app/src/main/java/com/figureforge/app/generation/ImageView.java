package com.figureforge.app.generation;

import java.time.Instant;

/**
 * An image as clients see it; {@code url} and {@code thumbnail_url} are presigned and expire (or, for the
 * gallery behind a CDN, plain links to the public copy).
 *
 * @param moderation {@code pending_review} while reports keep the image out of the gallery, else null
 */
public record ImageView(
        String id,
        String jobId,
        String url,
        String thumbnailUrl,
        int width,
        int height,
        String contentType,
        long seed,
        String prompt,
        String visibility,
        Instant createdAt,
        String moderation) {}
