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
 * @param publicKey S3 key of the image's public copy ({@code public/...}, no user id), while it has one
 * @param publicThumbnailKey S3 key of the thumbnail's public copy, while it has one
 * @param moderation {@code null}, or {@link #PENDING_REVIEW} while reports keep it out of the gallery
 * @param reportCount distinct users who reported the image since its last review
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
        Instant createdAt,
        String publicKey,
        String publicThumbnailKey,
        String moderation,
        int reportCount) {

    /** The moderation state of an image that left the gallery after reports, until a moderator decides. */
    public static final String PENDING_REVIEW = "pending_review";

    public ImageRecord {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(userId, "userId");
        Visibility.require(visibility);
    }

    /** A new image: no public copy yet, never reported. */
    public ImageRecord(
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
        this(
                imageId,
                jobId,
                userId,
                key,
                thumbnailKey,
                width,
                height,
                contentType,
                seed,
                prompt,
                visibility,
                createdAt,
                null,
                null,
                null,
                0);
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

    /** Whether reports hold the image out of the gallery until a moderator restores or removes it. */
    public boolean pendingReview() {
        return PENDING_REVIEW.equals(moderation);
    }

    /** Whether the gallery lists it: public and not held for review. */
    public boolean listedInGallery() {
        return isPublic() && !pendingReview();
    }

    /** This image with its public copy's keys ({@code null} for none). */
    public ImageRecord withPublicCopy(String key, String thumbnailKey) {
        return withVisibility(visibility, key, thumbnailKey);
    }

    /** This image with another visibility and public copy ({@code null} keys for none). */
    public ImageRecord withVisibility(String visibility, String publicKey, String publicThumbnailKey) {
        return copy(visibility, publicKey, publicThumbnailKey, moderation, reportCount);
    }

    /** This image after a review restored it: no reports, not held, with the public copy given. */
    public ImageRecord reviewed(String publicKey, String publicThumbnailKey) {
        return copy(visibility, publicKey, publicThumbnailKey, null, 0);
    }

    private ImageRecord copy(
            String visibility, String publicKey, String publicThumbnailKey, String moderation, int reportCount) {
        return new ImageRecord(
                imageId,
                jobId,
                userId,
                key,
                thumbnailKey,
                width,
                height,
                contentType,
                seed,
                prompt,
                visibility,
                createdAt,
                publicKey,
                publicThumbnailKey,
                moderation,
                reportCount);
    }
}
