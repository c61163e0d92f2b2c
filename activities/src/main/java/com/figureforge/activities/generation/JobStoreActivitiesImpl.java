package com.figureforge.activities.generation;

import com.figureforge.activities.data.ImageRecord;
import com.figureforge.activities.data.ImageRepository;
import com.figureforge.activities.data.JobRecord;
import com.figureforge.activities.data.JobRepository;
import com.figureforge.activities.data.QuotaLedger;
import com.figureforge.activities.data.UserRecord;
import com.figureforge.activities.data.UserRepository;
import com.figureforge.activities.data.Visibility;
import com.figureforge.activities.fal.FalException;
import com.figureforge.activities.fal.FalImageDownloader;
import com.figureforge.activities.storage.ImageRejectedException;
import com.figureforge.activities.storage.S3ImageStore;
import com.figureforge.activities.storage.StoredObjects;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.generation.JobErrorCode;
import com.figureforge.workflows.generation.JobStatus;
import com.figureforge.workflows.generation.JobStoreActivities;
import com.figureforge.workflows.generation.StoredImage;
import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.ActivityImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The storage side of a generation job. Each step is idempotent so that a retry after a partial run finishes
 * the work without doing any part twice:
 *
 * <ul>
 *   <li>S3 keys and image ids derive from job and index; an object already stored is not written again;
 *   <li>image records are put conditionally (first one wins); the job finishes with a conditional write;
 *   <li>the quota ledger refunds a job at most once and frees its in-flight slot idempotently.
 * </ul>
 *
 * Completing and failing read the job record first: a job that is gone (account deletion) fails with the
 * non-retryable {@code JOB_NOT_FOUND}, and the refund is computed from the record, not from the caller.
 *
 * <p>Account deletion: {@code storeImage} and {@code completeJob}, the two steps that create new things
 * (S3 objects, image items), refuse to write for an account that is being deleted, with the same
 * {@code JOB_NOT_FOUND}, so the generation workflow stops. See {@link #refuseIfAccountClosing}.
 */
@Component
@ActivityImpl(taskQueues = TaskQueues.STORAGE)
public class JobStoreActivitiesImpl implements JobStoreActivities {

    private static final Logger log = LoggerFactory.getLogger(JobStoreActivitiesImpl.class);

    private final JobRepository jobs;
    private final ImageRepository images;
    private final QuotaLedger quota;
    private final S3ImageStore store;
    private final FalImageDownloader downloader;
    private final UserRepository users;

    public JobStoreActivitiesImpl(
            JobRepository jobs,
            ImageRepository images,
            QuotaLedger quota,
            S3ImageStore store,
            FalImageDownloader downloader,
            UserRepository users) {
        this.jobs = jobs;
        this.images = images;
        this.quota = quota;
        this.store = store;
        this.downloader = downloader;
        this.users = users;
    }

    /** The stable id of the image at {@code index} of a job. */
    public static String imageId(String jobId, int index) {
        return jobId + "-" + index;
    }

    @Override
    public MarkRunningOutput markRunning(MarkRunningInput input) {
        if (jobs.markRunning(input.jobId())) {
            return new MarkRunningOutput(JobStatus.RUNNING);
        }
        // not queued: a retry after the change, a job finished meanwhile, or no job at all
        return new MarkRunningOutput(job(input.jobId()).status());
    }

    @Override
    public StoreImageOutput storeImage(StoreImageInput input) {
        JobRecord job = job(input.jobId());
        requireOwner(job, input.userId());
        Runnable takeBack = () -> store.deleteAllForJob(job.userId(), job.jobId());
        refuseIfAccountClosing(job, takeBack, false);
        StoredObjects stored;
        try {
            byte[] bytes = downloader.download(input.source().url());
            stored = store.storeImage(input.userId(), input.jobId(), input.index(), bytes);
        } catch (ImageRejectedException e) {
            throw ActivityFailures.of(FailureType.IMAGE_REJECTED, e.getMessage(), e);
        } catch (FalException e) {
            // The CDN URL may have expired by the time a retry runs; the first attempt may have stored it.
            Optional<StoredObjects> before = e.type().retryable()
                    ? Optional.empty()
                    : store.findStored(input.userId(), input.jobId(), input.index());
            if (before.isEmpty()) {
                throw ActivityFailures.of(e.type(), e.getMessage(), e, e.retryAfter());
            }
            stored = before.get();
        }
        refuseIfAccountClosing(job, takeBack, true);
        return new StoreImageOutput(new StoredImage(
                imageId(input.jobId(), input.index()),
                input.index(),
                stored.key(),
                stored.thumbnailKey(),
                stored.width(),
                stored.height(),
                stored.contentType(),
                stored.sizeBytes(),
                input.seed()));
    }

    @Override
    public CompleteJobOutput completeJob(CompleteJobInput input) {
        JobRecord job = job(input.jobId());
        requireOwner(job, input.userId());
        List<StoredImage> stored = input.images() == null ? List.of() : input.images();

        if (finishedOtherwise(job)) {
            // Failed or canceled by another path before: that outcome stands, and its refund (if any) was
            // the whole reservation. Only make sure the slot is free.
            quota.releaseInFlight(job.userId(), job.jobId());
            log.warn(
                    "job {} was already {}: not recording its images",
                    job.jobId(),
                    job.status().wire());
            return new CompleteJobOutput(job.status(), 0);
        }

        refuseIfAccountClosing(job, () -> {}, false);
        images.putAll(records(job, stored));
        if (stored.isEmpty()) {
            jobs.finish(
                    job.jobId(),
                    JobStatus.FAILED,
                    List.of(),
                    JobErrorCode.IMAGES_BLOCKED,
                    "every image was blocked by the safety checker");
        } else {
            List<String> imageIds = stored.stream().map(StoredImage::imageId).toList();
            jobs.finish(job.jobId(), JobStatus.SUCCEEDED, imageIds, null, null);
        }
        refuseIfAccountClosing(
                job,
                () -> images.deleteAll(stored.stream().map(StoredImage::imageId).toList()),
                true);
        JobStatus status = job(input.jobId()).status();

        // The user pays for the images stored: blocked ones, and any fal did not deliver, come back.
        int notDelivered = Math.max(input.blockedCount(), job.numImages() - stored.size());
        int refunded = refund(job, notDelivered);
        quota.releaseInFlight(job.userId(), job.jobId());
        log.info(
                "job {} completed as {}: {} image(s) stored, {} refunded",
                job.jobId(),
                status.wire(),
                stored.size(),
                refunded);
        return new CompleteJobOutput(status, refunded);
    }

    /** Finished, and not by an earlier attempt of {@code completeJob}. */
    private static boolean finishedOtherwise(JobRecord job) {
        return job.status() == JobStatus.CANCELED
                || (job.status() == JobStatus.FAILED && !JobErrorCode.IMAGES_BLOCKED.equals(job.errorCode()));
    }

    private static List<ImageRecord> records(JobRecord job, List<StoredImage> stored) {
        List<ImageRecord> records = new ArrayList<>();
        for (StoredImage image : stored) {
            records.add(new ImageRecord(
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
                    job.createdAt()));
        }
        return records;
    }

    @Override
    public FailJobOutput failJob(FailJobInput input) {
        if (input.status() != JobStatus.FAILED && input.status() != JobStatus.CANCELED) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "failJob needs status FAILED or CANCELED, not " + input.status(), "IllegalArgumentException");
        }
        JobRecord job = job(input.jobId());
        requireOwner(job, input.userId());
        jobs.finish(job.jobId(), input.status(), List.of(), input.errorCode(), input.errorMessage());
        JobStatus status = job(input.jobId()).status();
        int refunded = 0;
        if (status != JobStatus.SUCCEEDED) {
            // A job that succeeded before (a late failure report) keeps its charge.
            refunded = refund(job, job.numImages());
        }
        quota.releaseInFlight(job.userId(), job.jobId());
        log.info(
                "job {} finished as {} ({}), {} image(s) refunded",
                job.jobId(),
                status.wire(),
                input.errorCode(),
                refunded);
        return new FailJobOutput(status, refunded);
    }

    private int refund(JobRecord job, int images) {
        if (images <= 0 || job.quotaPeriod() == null) {
            return 0;
        }
        return quota.refund(job.userId(), job.jobId(), job.quotaPeriod(), images);
    }

    /**
     * Refuses to write for an account whose deletion has started (the profile is flagged {@code deleting},
     * or it is gone and a tombstone is there), failing with {@code JOB_NOT_FOUND} so the workflow stops.
     *
     * <p>Checking before writing is not enough: an attempt that passed the check may write after the
     * deletion has listed what there is. So the write is checked again afterwards ({@code afterWrite}),
     * and what it wrote is taken back ({@code takeBack}) when the account is closing, or when the check
     * cannot be made (a retry redoes the idempotent write if the account is fine). This closes the race:
     * the deletion sets the flag and then lists and deletes; the writer writes and then reads the flag
     * (both strongly consistent). Either the writer sees the flag and takes its write back, or its write
     * came before the flag and therefore before the deletion's listing, which finds it.
     */
    private void refuseIfAccountClosing(JobRecord job, Runnable takeBack, boolean afterWrite) {
        boolean closing;
        try {
            closing = accountClosing(job.userId());
        } catch (RuntimeException unknown) {
            if (afterWrite) {
                takeBack.run();
            }
            throw unknown;
        }
        if (closing) {
            takeBack.run();
            log.info("job {}: account {} is being deleted, nothing more is stored", job.jobId(), job.userId());
            throw ActivityFailures.of(
                    FailureType.JOB_NOT_FOUND, "the account of job " + job.jobId() + " is being deleted", null);
        }
    }

    private boolean accountClosing(String userId) {
        Optional<UserRecord> user = users.find(userId);
        // The tombstone is written before the profile is deleted: no profile and no tombstone is a user
        // that was never created (tests, operators), not a deleted one.
        return user.isPresent() ? user.get().deleting() : users.isDeleted(userId);
    }

    private JobRecord job(String jobId) {
        return jobs.find(jobId).orElseThrow(() -> ActivityFailures.jobNotFound(jobId));
    }

    private static void requireOwner(JobRecord job, String userId) {
        if (userId != null && !userId.equals(job.userId())) {
            // Never act on another user's job; to the workflow this job does not exist.
            throw ActivityFailures.of(
                    FailureType.JOB_NOT_FOUND, "job " + job.jobId() + " does not belong to user " + userId, null);
        }
    }
}
