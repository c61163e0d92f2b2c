package com.figureforge.activities.generation;

import com.figureforge.adapters.Forked;
import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.JobWithAccountQuery;
import com.figureforge.adapters.data.JobWithAccountQuery.JobWithAccount;
import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.generation.JobStatus;
import com.figureforge.workflows.generation.JobStoreActivities;
import com.figureforge.workflows.generation.StoredImage;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.ActivityImpl;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
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
 * <p>Account deletion: {@code storeImage}, {@code completeJob} and {@code storeImagesAndComplete}, the steps
 * that create new things (S3 objects, image items), refuse to write for an account that is being deleted, with the same
 * {@code JOB_NOT_FOUND}, so the generation workflow stops. See {@link #refuseIfAccountClosing}.
 */
@Component
@ActivityImpl(taskQueues = TaskQueues.STORAGE)
public class JobStoreActivitiesImpl implements JobStoreActivities {

    private static final Logger log = LoggerFactory.getLogger(JobStoreActivitiesImpl.class);

    private final JobRepository jobs;
    private final ImageRepository images;
    private final S3ImageStore store;
    private final ImageCopier copier;
    private final UserRepository users;
    private final JobSettlement settlement;
    private final JobWithAccountQuery jobWithAccount;

    public JobStoreActivitiesImpl(
            JobRepository jobs,
            ImageRepository images,
            S3ImageStore store,
            ImageCopier copier,
            UserRepository users,
            JobSettlement settlement,
            JobWithAccountQuery jobWithAccount) {
        this.jobWithAccount = jobWithAccount;
        this.jobs = jobs;
        this.images = images;
        this.store = store;
        this.copier = copier;
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
        StoredImage stored =
                copier.copy(input.jobId(), input.userId(), input.index(), input.source(), input.seed(), false);
        refuseIfAccountClosing(job, takeBack, true);
        refuseIfJobEnded(job.jobId(), takeBack);
        return new StoreImageOutput(stored);
    }

    /**
     * {@code storeImage} for every image, in parallel, then {@code completeJob}, with the same checks in the
     * same order: refuse for a closing account before writing, check account and job again after the last
     * write, then settle. A job an earlier attempt already settled as succeeded is not copied again: the
     * attempt only completes applying that decision (its reply was lost, or it died mid-settlement).
     */
    @Override
    public StoreAndCompleteOutput storeImagesAndComplete(StoreAndCompleteInput input) {
        ActivityExecutionContext context = Activity.getExecutionContext();
        // The job and its account are read together (one BatchGetItem), before anything is written.
        JobRecord job;
        Supplier<Boolean> closingBefore;
        if (input.userId() == null) {
            job = job(input.jobId());
            closingBefore = closing(job.userId())::join;
        } else {
            JobWithAccount before = jobWithAccount.read(input.jobId(), input.userId());
            job = before.job().orElseThrow(() -> ActivityFailures.jobNotFound(input.jobId()));
            closingBefore = before::accountClosing;
        }
        requireOwner(job, input.userId());
        List<StoredImage> stored;
        if (job.status() == JobStatus.SUCCEEDED) {
            stored = job.storedImages();
        } else {
            Runnable takeBack = () -> store.deleteAllForJob(job.userId(), job.jobId());
            refuseIfAccountClosing(job, closingBefore, takeBack, false);
            refuseIfEnded(job, () -> {});
            stored = copier.copyAll(
                    input.jobId(),
                    input.userId(),
                    input.images() == null ? List.of() : input.images(),
                    input.seed(),
                    input.copyUntilEpochMillis(),
                    context.getInfo().getAttempt() == 1,
                    () -> context.heartbeat(null));
            // Account and job are read again together; the account's answer is looked at first. A read that
            // fails, or a job that is gone, takes the copies back as a closing account does.
            JobWithAccount after;
            try {
                after = jobWithAccount.read(job.jobId(), job.userId());
            } catch (RuntimeException unknown) {
                takeBack.run();
                throw unknown;
            }
            refuseIfAccountClosing(job, after::accountClosing, takeBack, true);
            JobRecord now = after.job().orElseGet(() -> {
                takeBack.run();
                throw ActivityFailures.jobNotFound(job.jobId());
            });
            refuseIfEnded(now, takeBack);
        }
        // The account was checked after the last write: settle at once, as completeJob does after its own check.
        CompleteJobOutput completed = settle(job, stored, input.blockedCount());
        return new StoreAndCompleteOutput(
                completed.status(),
                completed.refunded(),
                completed.status() == JobStatus.SUCCEEDED ? stored : List.of());
    }

    @Override
    public CompleteJobOutput completeJob(CompleteJobInput input) {
        JobRecord job = job(input.jobId());
        requireOwner(job, input.userId());
        List<StoredImage> stored = input.images() == null ? List.of() : input.images();
        refuseIfAccountClosing(job, () -> {}, false);
        return settle(job, stored, input.blockedCount());
    }

    private CompleteJobOutput settle(JobRecord job, List<StoredImage> stored, int blockedCount) {
        JobSettlement.Settled settled = settlement.succeed(job, stored, blockedCount);
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
        refuseIfAccountClosing(job, () -> accountClosing(job.userId()), takeBack, afterWrite);
    }

    /** As above, with the account's answer from the caller (read with the job, or forked while the job is read). */
    private void refuseIfAccountClosing(
            JobRecord job, Supplier<Boolean> accountClosing, Runnable takeBack, boolean afterWrite) {
        boolean closing;
        try {
            closing = accountClosing.get();
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
        refuseIfEnded(job(jobId), takeBack);
    }

    private static void refuseIfEnded(JobRecord now, Runnable takeBack) {
        if (now.status().finished() && now.status() != JobStatus.SUCCEEDED) {
            takeBack.run();
            throw ActivityFailures.of(
                    FailureType.JOB_FINISHED,
                    "job " + now.jobId() + " already ended " + now.status().wire(),
                    null);
        }
    }

    /** Whether the user's account is closing, read on a virtual thread while the caller goes on. */
    private Forked<Boolean> closing(String userId) {
        return Forked.start(() -> accountClosing(userId));
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
