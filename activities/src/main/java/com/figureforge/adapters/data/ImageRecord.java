package com.figureforge.adapters.data;

import com.figureforge.workflows.generation.StoredImage;
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

    /** The record of an image a job stored: prompt, visibility and time come from the job. */
    public static ImageRecord of(JobRecord job, StoredImage image) {
        return new ImageRecord(
                image.imageId(),
                job.jobId(),
                job.userId(),
                image.key(),
                image.thumbnailKey(),
                image.width(),
                image.height(),
                image.contentType(),
                image.seed(),
                job.prompt(),
                job.visibility() == null ? Visibility.PRIVATE : job.visibility(),
                job.createdAt());
    }

    public boolean isPublic() {
        return Visibility.PUBLIC.equals(visibility);
    }
}
