package com.figureforge.workflows.generation;

/**
 * An image copied into our bucket.
 *
 * @param imageId stable id, derived from the job id and index so a retry stores the same image
 * @param key S3 key of the full image, under {@code images/{user}/{job}/}
 * @param thumbnailKey S3 key of its thumbnail
 */
public record StoredImage(
        String imageId,
        int index,
        String key,
        String thumbnailKey,
        int width,
        int height,
        String contentType,
        long sizeBytes,
        long seed) {}
