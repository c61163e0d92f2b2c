package com.figureforge.activities.generation;

import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.adapters.fal.FalException;
import com.figureforge.adapters.fal.FalImageDownloader;
import com.figureforge.adapters.storage.ImageRejectedException;
import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.adapters.storage.StoredObjects;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.generation.JobStatus;
import com.figureforge.workflows.generation.JobStoreActivities;
import com.figureforge.workflows.generation.StoredImage;
import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.ActivityImpl;
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
 *   <li>completing and failing go through {@link JobSettlement}: one conditional write decides the job's
 *       outcome and refund, and the steps after it are idempotent.
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
    private final S3ImageStore store;
    private final FalImageDownloader downloader;
    private final UserRepository users;
    private final JobSettlement settlement;

    public JobStoreActivitiesImpl(
            JobRepository jobs,
            ImageRepository images,
            S3ImageStore store,
            FalImageDownloader downloader,
            UserRepository users,
            JobSettlement settlement) {
        this.jobs = jobs;
        this.images = images;
        this.store = store;
        this.downloader = downloader;
        this.users = users;
        this.settlement = settlement;
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
        refuseIfJobEnded(job.jobId(), takeBack);
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
        refuseIfAccountClosing(job, () -> {}, false);
        JobSettlement.Settled settled = settlement.succeed(job, stored, input.blockedCount());
        refuseIfAccountClosing(
                job,
                () -> images.deleteAll(stored.stream().map(StoredImage::imageId).toList()),
                true);
        if (!settled.decidedHere() && settled.status() != JobStatus.SUCCEEDED) {
            log.warn(
                    "job {} had ended {} before its images came: they were removed",
                    job.jobId(),
                    settled.status().wire());
        }
        return new CompleteJobOutput(settled.status(), settled.refundedImages());
    }

    @Override
    public FailJobOutput failJob(FailJobInput input) {
        if (input.status() != JobStatus.FAILED && input.status() != JobStatus.CANCELED) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "failJob needs status FAILED or CANCELED, not " + input.status(), "IllegalArgumentException");
        }
        JobRecord job = job(input.jobId());
        requireOwner(job, input.userId());
        // A job that succeeded before (a late failure report) keeps its outcome and its charge.
        JobSettlement.Settled settled = settlement.end(
                job, input.status(), input.errorCode(), input.errorMessage(), input.keepCharge() ? 0 : job.numImages());
        return new FailJobOutput(settled.status(), settled.refundedImages());
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

    /**
     * A copy that lands after its job ended without images (a cancel or failure settled it meanwhile) is
     * removed again: the settlement deleted the job's objects before, and must not miss this one. Same
     * order argument as for account deletion: the settlement decides, then deletes; this step writes,
     * then reads the decision.
     */
    private void refuseIfJobEnded(String jobId, Runnable takeBack) {
        JobRecord now = job(jobId);
        if (now.status().finished() && now.status() != JobStatus.SUCCEEDED) {
            takeBack.run();
            throw ActivityFailures.of(
                    FailureType.JOB_FINISHED,
                    "job " + jobId + " already ended " + now.status().wire(),
                    null);
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
