package com.figureforge.app.generation;

import com.figureforge.activities.generation.JobSettlement;
import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.QuotaLedger;
import com.figureforge.adapters.data.QuotaPeriod;
import com.figureforge.adapters.data.Reservation;
import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.adapters.data.VariationSetRecord;
import com.figureforge.adapters.data.VariationSetRepository;
import com.figureforge.app.billing.QuotaPolicy;
import com.figureforge.app.config.FigureForgeProperties.Plan;
import com.figureforge.app.users.CurrentUser;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ApiException.FieldError;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.workflows.generation.JobErrorCode;
import com.figureforge.workflows.generation.JobStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Accepts variation sets: one request sweeping one control over chosen values, every other control
 * and the seed locked. The whole set's images are reserved in one conditional write or the set is
 * refused with nothing held ({@link QuotaLedger#reserveAll}); then each value becomes an ordinary job
 * (own record, own workflow, settled on its own by {@link JobSettlement}) through the same code paths
 * as {@link GenerationService}.
 */
@Service
public class VariationSets {

    static final int MIN_VALUES = 2;
    static final int MAX_VALUES = 8;
    /** Flips random bits of the first job's id (keeping version and variant): the set's id. */
    private static final long SET_ID_MASK = 0x2A5A_5A5A_5A5A_5A5AL;

    private final GenerationService generation;
    private final VariationSetRepository sets;
    private final JobRepository jobs;
    private final UserRepository users;
    private final IdempotencyKeyClaims idempotencyKeys;
    private final QuotaLedger ledger;
    private final JobSettlement settlement;
    private final QuotaPolicy quota;
    private final JsonMapper json;
    private final Clock clock;
    private final PromptBuilder prompts = new PromptBuilder();

    VariationSets(
            GenerationService generation,
            VariationSetRepository sets,
            JobRepository jobs,
            UserRepository users,
            IdempotencyKeyClaims idempotencyKeys,
            QuotaLedger ledger,
            JobSettlement settlement,
            QuotaPolicy quota,
            JsonMapper json,
            Clock clock) {
        this.generation = generation;
        this.sets = sets;
        this.jobs = jobs;
        this.users = users;
        this.idempotencyKeys = idempotencyKeys;
        this.ledger = ledger;
        this.settlement = settlement;
        this.quota = quota;
        this.json = json;
        this.clock = clock;
    }

    /** @param replayed true when an Idempotency-Key matched an earlier request: nothing new was charged */
    public record Accepted(VariationSetRecord set, boolean replayed) {}

    /**
     * The set's id, derived from its first job's id: an Idempotency-Key is claimed for the first job
     * (as generate claims it for its job), and a replay finds the set from that job.
     */
    static String setIdOf(String firstJobId) {
        UUID first = UUID.fromString(firstJobId);
        return new UUID(first.getMostSignificantBits(), first.getLeastSignificantBits() ^ SET_ID_MASK).toString();
    }

    public Accepted start(CurrentUser caller, VariationSetRequest body, String idempotencyKey) {
        if (caller.record().deleting()) {
            throw new ApiException(ErrorCode.ACCOUNT_DELETING, "This account is being deleted.");
        }
        String firstJobId = JobIds.issue(clock.instant());
        IdempotencyKeyClaims.Claim claim = idempotencyKeys.claim(caller.id(), idempotencyKey, body, firstJobId);
        if (claim.replayed()) {
            // A key bound by generate has a generate body, so only a body both calls read alike (none) lands here.
            return new Accepted(
                    sets.find(caller.id(), setIdOf(claim.replay().jobId()))
                            .orElseThrow(() -> new ApiException(
                                    ErrorCode.IDEMPOTENCY_KEY_REUSED,
                                    "This Idempotency-Key was used for another kind of request; use a new key.")),
                    true);
        }
        Accepted accepted;
        try {
            accepted = accept(caller, body, firstJobId);
        } catch (RuntimeException refused) {
            idempotencyKeys.release(claim, refused);
            throw refused;
        }
        idempotencyKeys.bind(claim);
        return accepted;
    }

    private Accepted accept(CurrentUser caller, VariationSetRequest body, String firstJobId) {
        List<FieldError> sweepErrors = VariationSweep.validate(body);
        if (!sweepErrors.isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_VARIATION_SET, "The variation set is invalid.", sweepErrors);
        }
        UserRecord user = caller.record();
        String planId = quota.planId(user);
        Plan plan = quota.plan(user);
        GenerationRequest base = generation.prepared(body.base(), user, planId, plan);
        List<String> values = body.values();
        List<String> jobIds = new ArrayList<>(List.of(firstJobId));
        while (jobIds.size() < values.size()) {
            jobIds.add(JobIds.issue(clock.instant()));
        }
        Instant now = clock.instant();
        QuotaPeriod period = quota.period(user, now);
        reserve(caller, jobIds, base.numImages(), period, now, planId, plan);

        VariationSetRecord set = new VariationSetRecord(
                setIdOf(firstJobId),
                caller.id(),
                body.vary(),
                values,
                jobIds,
                base.seed(),
                base.numImages(),
                json.writeValueAsString(base),
                now);
        // The set before its jobs: whoever finds the first job (an Idempotency-Key replay) finds the set.
        sets.create(set);
        List<JobRecord> created = new ArrayList<>();
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            GenerationRequest request = VariationSweep.withValue(base, body.vary(), values.get(i));
            JobRecord job = JobRecord.queued(
                    jobIds.get(i),
                    caller.id(),
                    json.writeValueAsString(request),
                    prompts.build(request),
                    request.numImages(),
                    request.visibility(),
                    period.key(),
                    now);
            jobs.create(job);
            created.add(job);
            requests.add(request);
        }
        if (users.find(caller.id()).map(UserRecord::deleting).orElse(true)) {
            // As in GenerationService: deletion may have listed the jobs already, so they settle here.
            created.forEach(job ->
                    settlement.end(job, JobStatus.CANCELED, JobErrorCode.CANCELED, "account deleted", job.numImages()));
            throw new ApiException(ErrorCode.ACCOUNT_DELETING, "This account is being deleted.");
        }
        startWorkflows(caller, created, requests);
        return new Accepted(set, false);
    }

    private void reserve(
            CurrentUser caller,
            List<String> jobIds,
            int perJob,
            QuotaPeriod period,
            Instant now,
            String planId,
            Plan plan) {
        Reservation reservation =
                ledger.reserveAll(caller.id(), jobIds, perJob, period.key(), plan.monthlyImages(), plan.inFlightJobs());
        if (reservation == Reservation.TOO_MANY_JOBS && generation.reconcileInFlight(caller.id(), period, now)) {
            reservation = ledger.reserveAll(
                    caller.id(), jobIds, perJob, period.key(), plan.monthlyImages(), plan.inFlightJobs());
        }
        int total = perJob * jobIds.size();
        switch (reservation) {
            case QUOTA_EXCEEDED ->
                throw new ApiException(
                        ErrorCode.QUOTA_EXCEEDED,
                        "Not enough images left this period for this set of " + total + " (" + jobIds.size()
                                + " values x " + perJob + "; plan " + planId + ", " + plan.monthlyImages()
                                + " per period). Nothing was reserved.");
            case TOO_MANY_JOBS ->
                throw new ApiException(
                        ErrorCode.TOO_MANY_JOBS,
                        "The " + planId + " plan runs " + plan.inFlightJobs()
                                + " job(s) at a time; a set starts when one is free. Nothing was reserved.");
            case RESERVED, ALREADY_RESERVED -> {}
        }
    }

    /**
     * Starts one workflow per job, in order. If Temporal refuses one, that job is settled by
     * {@link GenerationService#startWorkflow} and every later job is failed and refunded here; the set
     * is answered with them failed, or, if not even the first started, refused (503) with nothing charged.
     */
    private void startWorkflows(CurrentUser caller, List<JobRecord> created, List<GenerationRequest> requests) {
        for (int i = 0; i < created.size(); i++) {
            try {
                generation.startWorkflow(caller, created.get(i), requests.get(i));
            } catch (ApiException unavailable) {
                for (JobRecord later : created.subList(i + 1, created.size())) {
                    settlement.end(
                            later,
                            JobStatus.FAILED,
                            JobErrorCode.GENERATION_FAILED,
                            "could not start",
                            later.numImages());
                }
                if (i == 0) {
                    throw unavailable;
                }
                return;
            }
        }
    }

    /** The caller's set, or 404 for a set that does not exist or belongs to someone else. */
    public VariationSetRecord ownedSet(CurrentUser caller, String setId) {
        return sets.find(caller.id(), setId)
                .orElseThrow(
                        () -> new ApiException(ErrorCode.VARIATION_SET_NOT_FOUND, "No variation set " + setId + "."));
    }

    /** The set's jobs in the order of its values; a job not recorded (its request died) is empty. */
    public List<Optional<JobRecord>> jobsOf(VariationSetRecord set) {
        return set.jobIds().stream().map(jobs::find).toList();
    }
}
