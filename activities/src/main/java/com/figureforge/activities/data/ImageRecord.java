package com.figureforge.activities.data;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored image: item {@code IMG#{imageId}} / {@code IMG}; listed under its owner in {@code gsi2}
 * and, when public, in one gallery shard of {@code gsi1}.
 *
 * @param key S3 key of the full image
 * @param thumbnailKey S3 key of the thumbnail
 * @param prompt the model prompt the image was made from
 * @param visibility {@code private} or {@code public}
 */
public record ImageRecord(
        String imageId,
        String jobId,
        String userId,
        String key,
        String thumbnailKey,
        int width,
        int height,
        String contentType,
        long seed,
        String prompt,
        String visibility,
        Instant createdAt) {

    public ImageRecord {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(userId, "userId");
        Visibility.require(visibility);
    }

    public boolean isPublic() {
        return Visibility.PUBLIC.equals(visibility);
    }
}
