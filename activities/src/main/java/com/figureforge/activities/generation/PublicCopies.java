package com.figureforge.activities.generation;

import com.figureforge.adapters.data.ImageRecord;
import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.storage.S3ImageStore;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The public copies of images ({@code public/{job}-{index}.{ext}}, see {@link S3ImageStore#publicKeyOf}) and
 * deleting an image everywhere. Every step is idempotent: copies are CopyObject to a key derived from the
 * private one, deletes of missing objects succeed.
 *
 * <p>Order is what keeps links honest: a copy is made before any listing points at it (the gallery entry is
 * written after), and removed after the listing stops pointing at it.
 */
@Component
public class PublicCopies {

    private final S3ImageStore store;
    private final ImageRepository images;
    private final JobRepository jobs;

    public PublicCopies(S3ImageStore store, ImageRepository images, JobRepository jobs) {
        this.store = store;
        this.images = images;
        this.jobs = jobs;
    }

    /** Copies the image and its thumbnail to their public keys; returns the image with those keys. */
    public ImageRecord publish(ImageRecord image) {
        String thumbnail = store.copyToPublic(image.thumbnailKey());
        String full = store.copyToPublic(image.key());
        return image.withPublicCopy(full, thumbnail);
    }

    /** Deletes the public copies of the image and its thumbnail (whether recorded or not). */
    public void unpublish(ImageRecord image) {
        store.deleteKeys(
                List.of(S3ImageStore.publicKeyOf(image.key()), S3ImageStore.publicKeyOf(image.thumbnailKey())));
    }

    /**
     * Deletes the image everywhere: its objects (public copies first), its entry in its job's record, then its
     * item, which carries its listings and reports. The item goes last so that an interrupted delete leaves it
     * to find and repeat the delete with, never an orphaned object. Nothing is refunded.
     */
    public void deleteEverywhere(ImageRecord image) {
        unpublish(image);
        store.deleteKeys(List.of(image.key(), image.thumbnailKey()));
        if (image.jobId() != null) {
            jobs.forgetStoredImage(image.jobId(), image.imageId());
        }
        images.delete(image.imageId());
    }
}
