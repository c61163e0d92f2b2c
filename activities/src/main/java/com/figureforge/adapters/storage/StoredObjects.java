package com.figureforge.adapters.storage;

/**
 * One image and its thumbnail in the bucket.
 *
 * @param key the full image, {@code images/{user}/{job}/{index}.{ext}}
 * @param thumbnailKey the thumbnail, {@code images/{user}/{job}/{index}-thumb.{ext}}
 * @param width the image's width as read from its bytes
 * @param height the image's height as read from its bytes
 * @param sizeBytes the image's size
 * @param objectsWritten how many of the two objects this call wrote (0 when a retry found both stored)
 */
public record StoredObjects(
        String key,
        String thumbnailKey,
        ImageFormat format,
        int width,
        int height,
        long sizeBytes,
        int thumbnailWidth,
        int thumbnailHeight,
        int objectsWritten) {

    public String contentType() {
        return format.contentType();
    }
}
