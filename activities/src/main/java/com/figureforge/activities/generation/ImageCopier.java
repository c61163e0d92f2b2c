package com.figureforge.activities.generation;

import com.figureforge.adapters.fal.FalException;
import com.figureforge.adapters.fal.FalImageDownloader;
import com.figureforge.adapters.storage.ImageRejectedException;
import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.adapters.storage.StoredObjects;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.generation.FalImage;
import com.figureforge.workflows.generation.JobErrorCode;
import com.figureforge.workflows.generation.JobStoreActivities.ImageToStore;
import com.figureforge.workflows.generation.StoredImage;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Copies images from fal's CDN into S3 at keys derived from job and index, so a retry finds what an earlier
 * attempt stored instead of writing a second copy. At most {@code maxConcurrentCopies} copies run at once in
 * the whole worker, whichever activity asked: each holds the download and its decoded pixels in memory,
 * and the worker's heap is sized for that many (see the storage worker's capacity in application.yml).
 */
public class ImageCopier {

    /** Well inside the merged step's heartbeat timeout; the SDK batches heartbeats anyway. */
    static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(2);

    private final FalImageDownloader downloader;
    private final S3ImageStore store;
    private final Semaphore slots;
    private final ExecutorService copiers = Executors.newVirtualThreadPerTaskExecutor();

    public ImageCopier(FalImageDownloader downloader, S3ImageStore store, int maxConcurrentCopies) {
        this.downloader = downloader;
        this.store = store;
        this.slots = new Semaphore(Math.max(1, maxConcurrentCopies), true);
    }

    /**
     * Copies one image. When fal's URL no longer works (CDN URLs expire) the copy an earlier attempt stored
     * is used. With {@code pastDeadline} nothing is downloaded any more: only a copy already stored counts,
     * and a missing one fails non-retryably with type {@code timeout}.
     *
     * @throws ApplicationFailure {@code IMAGE_REJECTED} when the bytes are not an image we accept, or fal's
     *     failure type when the download failed and no earlier copy exists
     */
    StoredImage copy(String jobId, String userId, int index, FalImage source, long seed, boolean pastDeadline) {
        return copy(jobId, userId, index, source, seed, pastDeadline, true);
    }

    /** As above; {@code mayBeStored} false skips looking for an earlier attempt's objects (there was none). */
    private StoredImage copy(
            String jobId,
            String userId,
            int index,
            FalImage source,
            long seed,
            boolean pastDeadline,
            boolean mayBeStored) {
        StoredObjects stored;
        if (pastDeadline) {
            stored = store.findStored(userId, jobId, index).orElseThrow(() -> copyTimedOut(jobId, index, null));
        } else {
            stored = downloadAndStore(jobId, userId, index, source, mayBeStored);
        }
        return new StoredImage(
                JobStoreActivitiesImpl.imageId(jobId, index),
                index,
                stored.key(),
                stored.thumbnailKey(),
                stored.width(),
                stored.height(),
                stored.contentType(),
                stored.sizeBytes(),
                seed);
    }

    /**
     * Copies every image in parallel, calling {@code heartbeat} while it waits. Returns only once every copy
     * has ended, failed or not, so nothing this call started writes after it returned (the settlement that
     * follows a failure must see every object). A retryable failure after {@code copyUntilEpochMillis}
     * becomes the non-retryable {@code timeout}: the bound of the copy part. {@code firstAttempt}: no
     * earlier attempt of the only step that writes these keys ran, so nothing is looked up before writing.
     *
     * @return the stored images in the order given
     */
    List<StoredImage> copyAll(
            String jobId,
            String userId,
            List<ImageToStore> images,
            long seed,
            long copyUntilEpochMillis,
            boolean firstAttempt,
            Runnable heartbeat) {
        boolean pastDeadline = System.currentTimeMillis() > copyUntilEpochMillis;
        List<Future<StoredImage>> copies = new ArrayList<>();
        for (ImageToStore image : images) {
            copies.add(copiers.submit(() -> limited(
                    () -> copy(jobId, userId, image.index(), image.source(), seed, pastDeadline, !firstAttempt))));
        }
        List<StoredImage> stored = new ArrayList<>();
        RuntimeException first = null;
        for (Future<StoredImage> copy : copies) {
            try {
                stored.add(awaitHeartbeating(copy, heartbeat));
            } catch (RuntimeException failure) {
                first = first == null ? failure : first;
            }
        }
        if (first != null) {
            throw boundedByDeadline(first, jobId, copyUntilEpochMillis);
        }
        return stored;
    }

    private StoredObjects downloadAndStore(
            String jobId, String userId, int index, FalImage source, boolean mayBeStored) {
        try {
            byte[] bytes = downloader.download(source.url());
            return store.storeImage(userId, jobId, index, bytes, mayBeStored);
        } catch (ImageRejectedException e) {
            throw ActivityFailures.of(FailureType.IMAGE_REJECTED, e.getMessage(), e);
        } catch (FalException e) {
            // The CDN URL may have expired by the time a retry runs; the first attempt may have stored it.
            Optional<StoredObjects> before =
                    e.type().retryable() ? Optional.empty() : store.findStored(userId, jobId, index);
            return before.orElseThrow(() -> ActivityFailures.of(e.type(), e.getMessage(), e, e.retryAfter()));
        }
    }

    private StoredImage limited(Supplier<StoredImage> copy) throws InterruptedException {
        slots.acquire();
        try {
            return copy.get();
        } finally {
            slots.release();
        }
    }

    private static StoredImage awaitHeartbeating(Future<StoredImage> copy, Runnable heartbeat) {
        while (true) {
            try {
                return copy.get(HEARTBEAT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillCopying) {
                heartbeat.run();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException runtime
                        ? runtime
                        : new IllegalStateException("copying an image failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while copying images", e);
            }
        }
    }

    private static RuntimeException boundedByDeadline(RuntimeException failure, String jobId, long copyUntil) {
        boolean retryable = !(failure instanceof ApplicationFailure application)
                || (!application.isNonRetryable() && !isNonRetryableType(application.getType()));
        if (retryable && System.currentTimeMillis() > copyUntil) {
            return copyTimedOut(jobId, -1, failure);
        }
        return failure;
    }

    private static boolean isNonRetryableType(String type) {
        for (String nonRetryable : FailureType.nonRetryable()) {
            if (nonRetryable.equals(type)) {
                return true;
            }
        }
        return false;
    }

    private static ApplicationFailure copyTimedOut(String jobId, int index, Throwable cause) {
        String what = index < 0 ? "the images" : "image " + index;
        return ApplicationFailure.newNonRetryableFailureWithCause(
                "copying " + what + " of job " + jobId + " to S3 did not succeed in time"
                        + (cause == null ? "" : ": " + cause.getMessage()),
                JobErrorCode.TIMEOUT,
                cause);
    }
}
