package com.figureforge.app.generation;

import com.figureforge.activities.generation.JobSettlement;
import com.figureforge.adapters.data.ImageRecord;
import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.QuotaLedger;
import com.figureforge.adapters.data.QuotaPeriod;
import com.figureforge.adapters.data.Reservation;
import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.billing.QuotaPolicy;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.config.FigureForgeProperties.Plan;
import com.figureforge.app.users.CurrentUser;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ApiException.FieldError;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.workflows.generation.FalImageRequest;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.GenerationProgress;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.ImageGenerationInput;
import com.figureforge.workflows.generation.ImageGenerationWorkflows;
import com.figureforge.workflows.generation.JobErrorCode;
import com.figureforge.workflows.generation.JobStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Accepts generation jobs: validates, reserves quota and an in-flight slot (atomically, keyed by the
 * job id), records the job and starts its workflow. Nothing here waits for the image: that is the
 * workflow's work.
 */
@Service
public class GenerationService {

    private static final Logger log = LoggerFactory.getLogger(GenerationService.class);
    static final String DEFAULT_ASPECT_RATIO = "3:4";

    /** A reservation older than this whose job never started belongs to a request that died. */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(2);

    /** A live progress query must never hold a request thread hostage when workers are busy or down. */
    private static final long PROGRESS_QUERY_TIMEOUT_MS = 1000;

    private final JobRepository jobs;
    private final IdempotencyKeyClaims idempotencyKeys;
    private final UserRepository users;
    private final ImageRepository images;
    private final QuotaLedger ledger;
    private final JobSettlement settlement;
    private final QuotaPolicy quota;
    private final WorkflowClient temporal;
    private final FigureForgeProperties properties;
    private final JsonMapper json;
    private final Clock clock;
    private final PromptBuilder prompts = new PromptBuilder();
    private final PromptPolicy promptPolicy;
    private final SecureRandom random = new SecureRandom();

    GenerationService(
            JobRepository jobs,
            IdempotencyKeyClaims idempotencyKeys,
            UserRepository users,
            ImageRepository images,
            QuotaLedger ledger,
            JobSettlement settlement,
            QuotaPolicy quota,
            WorkflowClient temporal,
            FigureForgeProperties properties,
            JsonMapper json,
            Clock clock) {
        this.jobs = jobs;
        this.idempotencyKeys = idempotencyKeys;
        this.users = users;
        this.images = images;
        this.ledger = ledger;
        this.settlement = settlement;
        this.quota = quota;
        this.temporal = temporal;
        this.properties = properties;
        this.promptPolicy = new PromptPolicy(properties.generation().promptDenyList());
        this.json = json;
        this.clock = clock;
    }

    /** @param replayed true when an Idempotency-Key matched an earlier request: nothing new was charged */
    public record Accepted(JobRecord job, boolean replayed) {}

    public Accepted start(CurrentUser caller, GenerationRequest body, String idempotencyKey) {
        UserRecord user = caller.record();
        if (user.deleting()) {
            throw new ApiException(ErrorCode.ACCOUNT_DELETING, "This account is being deleted.");
        }
        // The key is claimed before anything is reserved, for the job id this request will use; a
        // refusal releases it (see IdempotencyKeyClaims for the whole state machine).
        String jobId = JobIds.issue(clock.instant());
        IdempotencyKeyClaims.Claim claim = idempotencyKeys.claim(caller.id(), idempotencyKey, body, jobId);
        if (claim.replayed()) {
            return new Accepted(claim.replay(), true);
        }
        Accepted accepted;
        try {
            accepted = accept(caller, user, body, jobId);
        } catch (RuntimeException refused) {
            idempotencyKeys.release(claim, refused);
            throw refused;
        }
        idempotencyKeys.bind(claim);
        return accepted;
    }

    private Accepted accept(CurrentUser caller, UserRecord user, GenerationRequest body, String jobId) {
        String planId = quota.planId(user);
        Plan plan = quota.plan(user);
        GenerationRequest accepted = prepared(body, user, planId, plan);
        String prompt = prompts.build(accepted);
        Instant now = clock.instant();
        QuotaPeriod period = quota.period(user, now);
        int count = accepted.numImages();

        Reservation reservation =
                ledger.reserveNew(caller.id(), jobId, count, period.key(), plan.monthlyImages(), plan.inFlightJobs());
        if (reservation == Reservation.TOO_MANY_JOBS && reconcileInFlight(caller.id(), period, now)) {
            reservation = ledger.reserveNew(
                    caller.id(), jobId, count, period.key(), plan.monthlyImages(), plan.inFlightJobs());
        }
        switch (reservation) {
            case QUOTA_EXCEEDED ->
                throw new ApiException(
                        ErrorCode.QUOTA_EXCEEDED,
                        "Not enough images left this period for " + count + " more (plan " + planId + ", "
                                + plan.monthlyImages() + " per period).");
            case TOO_MANY_JOBS ->
                throw new ApiException(
                        ErrorCode.TOO_MANY_JOBS,
                        "The " + planId + " plan runs " + plan.inFlightJobs()
                                + " job(s) at a time; wait for one to finish.");
            case RESERVED, ALREADY_RESERVED -> {}
        }
        JobRecord job = JobRecord.queued(
                jobId,
                caller.id(),
                json.writeValueAsString(accepted),
                prompt,
                count,
                accepted.visibility(),
                period.key(),
                now);
        jobs.create(job);
        if (users.find(caller.id()).map(UserRecord::deleting).orElse(true)) {
            // Account deletion began while this request ran: it may already have listed the jobs, so
            // this one settles itself instead of starting a workflow deletion would not cancel.
            settlement.end(job, JobStatus.CANCELED, JobErrorCode.CANCELED, "account deleted", count);
            throw new ApiException(ErrorCode.ACCOUNT_DELETING, "This account is being deleted.");
        }
        startWorkflow(caller, job, accepted);
        return new Accepted(job, false);
    }

    /**
     * The request as it will run: validated against the vocabularies and the plan, defaults filled in
     * (the seed drawn here, once), free text cleaned and checked. Variation sets prepare their base here.
     */
    GenerationRequest prepared(GenerationRequest body, UserRecord user, String planId, Plan plan) {
        GenerationRequest request = body == null ? empty() : body;
        List<FieldError> errors = GenerationRequestValidator.validate(request, planId, plan);
        if (!errors.isEmpty()) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "The generation request is invalid.", errors);
        }
        GenerationRequest accepted = withDefaults(request, user);
        promptPolicy.check(accepted.prompt());
        return accepted;
    }

    void startWorkflow(CurrentUser caller, JobRecord job, GenerationRequest request) {
        var generation = properties.generation();
        FalImageRequest falRequest = new FalImageRequest(
                generation.modelId(),
                job.prompt(),
                FigureControls.ASPECT_RATIO.get(request.aspectRatio()),
                request.seed(),
                job.numImages(),
                generation.enableSafetyChecker(),
                generation.outputFormat());
        try {
            ImageGenerationWorkflows.start(
                    temporal,
                    new ImageGenerationInput(
                            job.jobId(),
                            caller.id(),
                            falRequest,
                            generation.deadline().toSeconds()));
        } catch (WorkflowExecutionAlreadyStarted alreadyStarted) {
            log.debug("Workflow for job {} already started", job.jobId());
        } catch (RuntimeException e) {
            log.error("Could not start the workflow of job {}", job.jobId(), e);
            settlement.end(job, JobStatus.FAILED, JobErrorCode.GENERATION_FAILED, "could not start", job.numImages());
            throw new ApiException(
                    ErrorCode.SERVICE_UNAVAILABLE, "Generation is unavailable right now; nothing was charged.");
        }
    }

    /**
     * Frees in-flight slots that no live job holds: jobs that finished without freeing theirs, and
     * reservations whose request died (API crash) before the job was recorded or its workflow started,
     * or whose workflow closed without settling the job. A slot is only taken from a request that is
     * long gone ({@link #ABANDONED_AFTER}), never from one that may still be between reserving and
     * starting. Everything settles through {@link JobSettlement}, against the period the reservation
     * was made in.
     *
     * @return whether a slot was freed
     */
    boolean reconcileInFlight(String userId, QuotaPeriod period, Instant now) {
        boolean freed = false;
        for (String heldBy : ledger.inFlightJobs(userId)) {
            Optional<JobRecord> job = jobs.find(heldBy);
            if (job.isPresent() && job.get().status().finished()) {
                settlement.apply(job.get());
                freed = true;
                continue;
            }
            boolean abandoned = JobIds.issuedAt(heldBy)
                    .map(issued -> issued.isBefore(now.minus(ABANDONED_AFTER)))
                    .orElse(false);
            if (!abandoned) {
                continue;
            }
            if (job.isEmpty()) {
                log.warn("Releasing the slot of job {} of user {}: reserved, never recorded", heldBy, userId);
                settlement.abandonReservation(userId, heldBy, period.key());
                freed = true;
            } else if (!workflowRunning(heldBy)) {
                log.warn("Failing job {} of user {}: its workflow never started or ended unsettled", heldBy, userId);
                settlement.end(
                        job.get(),
                        JobStatus.FAILED,
                        JobErrorCode.GENERATION_FAILED,
                        "never started",
                        job.get().numImages());
                freed = true;
            }
        }
        return freed;
    }

    /** A run that exists and has not closed; a closed run left its job unsettled only by failing. */
    private boolean workflowRunning(String jobId) {
        return ImageGenerationWorkflows.running(temporal, jobId);
    }

    /** The caller's job, or 404 for a job that does not exist or belongs to someone else. */
    public JobRecord ownedJob(CurrentUser caller, String jobId) {
        return jobs.find(jobId)
                .filter(job -> job.userId().equals(caller.id()))
                .orElseThrow(() -> new ApiException(ErrorCode.JOB_NOT_FOUND, "No job " + jobId + "."));
    }

    /**
     * Requests cancellation; the workflow cancels the fal request and settles the job: refunded if fal
     * had not started the work, charged (with any images fal still delivers) if it had.
     */
    public JobRecord cancel(CurrentUser caller, String jobId) {
        JobRecord job = ownedJob(caller, jobId);
        if (job.status().finished()) {
            throw new ApiException(
                    ErrorCode.JOB_ALREADY_FINISHED,
                    "Job " + jobId + " already " + job.status().wire() + ".");
        }
        try {
            ImageGenerationWorkflows.cancel(temporal, jobId);
        } catch (WorkflowNotFoundException gone) {
            // No workflow (it never started, so fal never saw the job): settle the record here. If it
            // just ended instead, the job is settled already and this changes nothing.
            settlement.end(job, JobStatus.CANCELED, JobErrorCode.CANCELED, "canceled by the owner", job.numImages());
        }
        return jobs.find(jobId).orElse(job);
    }

    /** The job's live progress from its workflow, or empty when the workflow cannot answer in time. */
    public Optional<GenerationProgress> liveProgress(String jobId) {
        try {
            return Optional.of(CompletableFuture.supplyAsync(
                            () -> ImageGenerationWorkflows.progress(temporal, jobId), Thread::startVirtualThread)
                    .get(PROGRESS_QUERY_TIMEOUT_MS, TimeUnit.MILLISECONDS));
        } catch (Exception unavailable) {
            return Optional.empty();
        }
    }

    /**
     * A job's images: from the job record, as decided with its status (the gallery item where there
     * is one, for its current visibility); jobs from before images were kept there read the items.
     */
    public List<ImageRecord> imagesOf(JobRecord job) {
        if (!job.storedImages().isEmpty()) {
            return job.storedImages().stream()
                    .map(stored -> images.find(stored.imageId()).orElseGet(() -> ImageRecord.of(job, stored)))
                    .toList();
        }
        return job.imageIds().stream()
                .map(images::find)
                .flatMap(Optional::stream)
                .toList();
    }

    private GenerationRequest withDefaults(GenerationRequest r, UserRecord user) {
        return new GenerationRequest(
                r.pose(),
                r.bodyType(),
                r.gender(),
                r.ageRange(),
                r.clothing(),
                r.cameraAngle(),
                r.shot(),
                r.lighting(),
                r.background(),
                r.style(),
                PromptPolicy.clean(r.prompt()),
                r.numImages() == null ? 1 : r.numImages(),
                r.seed() == null ? random.nextLong(GenerationRequest.MAX_SEED + 1) : r.seed(),
                r.aspectRatio() == null ? DEFAULT_ASPECT_RATIO : r.aspectRatio(),
                r.visibility() == null ? user.defaultVisibility() : r.visibility());
    }

    private static GenerationRequest empty() {
        return new GenerationRequest(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
