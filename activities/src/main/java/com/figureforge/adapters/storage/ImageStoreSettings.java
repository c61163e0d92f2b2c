package com.figureforge.adapters.storage;

import java.util.Objects;

/**
 * Bucket and limits of {@link S3ImageStore}. Zero or negative limits take the defaults.
 *
 * @param bucket the (private) bucket holding {@code images/{user}/{job}/...}
 * @param maxBytes largest image accepted, in bytes (default 20 MiB)
 * @param maxDimension largest width or height accepted, in pixels (default 8192)
 * @param maxPixels largest width x height accepted (default 40 million), so a small file cannot claim a huge
 *     canvas and exhaust memory when decoded
 * @param thumbnailSize long side of a thumbnail, in pixels (default 256)
 */
public record ImageStoreSettings(String bucket, long maxBytes, int maxDimension, long maxPixels, int thumbnailSize) {

    public static final long DEFAULT_MAX_BYTES = 20L * 1024 * 1024;
    public static final int DEFAULT_MAX_DIMENSION = 8192;
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    public static final int DEFAULT_THUMBNAIL_SIZE = 256;

    public ImageStoreSettings {
        Objects.requireNonNull(bucket, "bucket");
        if (bucket.isBlank()) {
            throw new IllegalArgumentException("bucket must not be blank");
        }
        maxBytes = maxBytes > 0 ? maxBytes : DEFAULT_MAX_BYTES;
        maxDimension = maxDimension > 0 ? maxDimension : DEFAULT_MAX_DIMENSION;
        maxPixels = maxPixels > 0 ? maxPixels : DEFAULT_MAX_PIXELS;
        thumbnailSize = thumbnailSize > 0 ? thumbnailSize : DEFAULT_THUMBNAIL_SIZE;
    }

    /** The given bucket with default limits. */
    public static ImageStoreSettings forBucket(String bucket) {
        return new ImageStoreSettings(bucket, 0, 0, 0, 0);
    }
}
