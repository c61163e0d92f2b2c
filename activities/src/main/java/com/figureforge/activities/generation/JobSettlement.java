package com.figureforge.activities.generation;

import com.figureforge.adapters.data.ImageRecord;
import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.JobOutcome;
import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.QuotaLedger;
import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.workflows.generation.JobErrorCode;
import com.figureforge.workflows.generation.JobStatus;
import com.figureforge.workflows.generation.StoredImage;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The one writer of "finish the job, charge or refund it, free its slot". The generation activities and
 * the API's fallbacks (a workflow that could not start, a cancel with no workflow left, the reconciler)
 * all end jobs here.
 *
 * <p>Two steps. <b>Decide</b>: one conditional write of the job record sets status, images, error and the
 * images to give back together ({@link JobRepository#finish}); the first writer wins and every later one
 * reads its decision. <b>Apply</b>: idempotent steps that follow from the stored decision alone, so any
 * caller can finish an interrupted settlement: list a succeeded job's images; delete every image item and
 * S3 object of a job that ended without images; settle the quota counter (at most once per job); free the
 * in-flight slot.
 *
 * <p>Why images are listed only after the decision: a cancel racing a completion must never leave a
 * canceled, refunded job with visible images. Deciding first means an image item exists only for a job
 * that succeeded; a job that ended otherwise has its stored objects removed instead. The decision keeps
 * the stored images in the job record, so the job shows them the moment it succeeds.
 */
@Component
public class JobSettlement {

    private static final Logger log = LoggerFactory.getLogger(JobSettlement.class);

    /**
     * @param status the job's final status (decided by this call or an earlier one)
     * @param refundedImages images of the reservation given back
     * @param decidedHere whether this call made the decision
     */
    public record Settled(JobStatus status, int refundedImages, boolean decidedHere) {}

    private final JobRepository jobs;
    private final ImageRepository images;
    private final QuotaLedger quota;
    private final S3ImageStore store;
    private final PublicCopies publicCopies;

    public JobSettlement(
            JobRepository jobs,
            ImageRepository images,
            QuotaLedger quota,
            S3ImageStore store,
            PublicCopies publicCopies) {
        this.jobs = jobs;
        this.images = images;
        this.quota = quota;
        this.store = store;
        this.publicCopies = publicCopies;
    }

    /**
     * Ends a job with the images it stored. The user pays for the images stored: those the safety checker
     * blocked and those fal did not deliver are given back. With no image stored the job fails as
     * {@code images_blocked}, refunded whole.
     */
    public Settled succeed(JobRecord job, List<StoredImage> stored, int blocked) {
        if (stored.isEmpty()) {
            return end(
                    job,
                    JobStatus.FAILED,
                    JobErrorCode.IMAGES_BLOCKED,
                    "every image was blocked by the safety checker",
                    job.numImages());
        }
        int notDelivered = Math.max(blocked, job.numImages() - stored.size());
        int refund = Math.clamp(notDelivered, 0, job.numImages());
        Optional<JobRecord> decision = jobs.finishAndRead(job.jobId(), JobOutcome.succeeded(stored, refund));
        JobRecord finished = decision.orElseGet(() -> reread(job));
        if (finished.status() != JobStatus.SUCCEEDED) {
            return apply(finished, false);
        }
        // This call's decision or an earlier attempt's: the same images either way. The job shows them
        // from its own record at once; these items list them in the galleries. A public job's images get
        // their public copies before the gallery lists them. Listed before the slot is freed: a client that
        // sees its in-flight count drop finds the images in its listing.
        images.putAll(stored.stream()
                .map(image -> ImageRecord.of(finished, image))
                .map(image -> image.isPublic() ? publicCopies.publish(image) : image)
                .toList());
        return apply(finished, decision.isPresent());
    }

    /**
     * Ends a job as failed or canceled, giving back {@code refundImages} of its reservation (all of it
     * when fal did no billable work, none when a cancel came after fal started).
     */
    public Settled end(JobRecord job, JobStatus status, String errorCode, String message, int refundImages) {
        if (status != JobStatus.FAILED && status != JobStatus.CANCELED) {
            throw new IllegalArgumentException("a job ends as failed or canceled, not " + status);
        }
        int refund = Math.clamp(refundImages, 0, job.numImages());
        boolean decided = jobs.finish(job.jobId(), JobOutcome.ended(status, errorCode, message, refund));
        return apply(reread(job), decided);
    }

    /**
     * Completes the settlement of a job whose outcome is already decided: safe to call any number of
     * times, from any path (the reconciler calls it for finished jobs that still hold a slot).
     */
    public Settled apply(JobRecord finished) {
        return apply(finished, false);
    }

    /**
     * Gives back a reservation that never became a job (its request died, or lost an Idempotency-Key race)
     * against the period it was reserved in, and frees its slot.
     */
    public int abandonReservation(String userId, String jobId, String fallbackPeriod) {
        String period = quota.reservedPeriod(userId, jobId).orElse(fallbackPeriod);
        int refunded = quota.settle(userId, jobId, period, Integer.MAX_VALUE);
        quota.releaseInFlight(userId, jobId);
        return refunded;
    }

    private Settled apply(JobRecord finished, boolean decidedHere) {
        if (!finished.status().finished()) {
            throw new IllegalStateException("job " + finished.jobId() + " has not finished");
        }
        int refund = finished.numImages() - finished.chargedImages();
        if (finished.status() != JobStatus.SUCCEEDED) {
            takeBackStoredImages(finished);
        }
        if (finished.quotaPeriod() != null) {
            quota.settle(finished.userId(), finished.jobId(), finished.quotaPeriod(), refund);
        }
        quota.releaseInFlight(finished.userId(), finished.jobId());
        if (decidedHere) {
            log.info(
                    "job {} ended {}: {} image(s) charged, {} given back",
                    finished.jobId(),
                    finished.status().wire(),
                    finished.chargedImages(),
                    refund);
        }
        return new Settled(finished.status(), refund, decidedHere);
    }

    /** A job without images keeps nothing: no image item, no S3 object (a late copy and public copies included). */
    private void takeBackStoredImages(JobRecord job) {
        images.deleteAll(IntStream.range(0, job.numImages())
                .mapToObj(index -> JobStoreActivitiesImpl.imageId(job.jobId(), index))
                .toList());
        store.deleteAllForJob(job.userId(), job.jobId());
    }

    private JobRecord reread(JobRecord job) {
        return jobs.find(job.jobId()).orElseThrow(() -> ActivityFailures.jobNotFound(job.jobId()));
    }
}
