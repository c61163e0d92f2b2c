package com.figureforge.app.generation;

import com.figureforge.adapters.data.IdempotencyKeys;
import com.figureforge.adapters.data.IdempotencyKeys.IdempotencyKey;
import com.figureforge.adapters.data.IdempotencyKeys.State;
import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ApiException.FieldError;
import com.figureforge.app.web.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code Idempotency-Key} of {@code POST /api/images/generate/} (and of variation sets, which claim
 * it for their first job), as
 * draft-ietf-httpapi-idempotency-key-header describes it. The key's states and why they are what they
 * are: {@link IdempotencyKeys}. This class decides, per request, which transition applies:
 *
 * <ul>
 *   <li>no live claim: claim it for this request's job id, before anything is reserved;
 *   <li>claimed with another body: 422 {@code idempotency_key_reused};
 *   <li>bound: answer its job (a replay; nothing is charged);
 *   <li>in progress: wait a moment for it to be bound (replay) or released (claim it), else 409
 *       {@code idempotency_key_in_progress}; never a 402/429 caused by the first attempt;
 *   <li>in progress past {@link #LEASE}: its request died. If it recorded its job, bind the key to
 *       that job (the in-flight reconciliation settles a job whose workflow never started); if not,
 *       take the claim over.
 * </ul>
 */
@Component
class IdempotencyKeyClaims {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyClaims.class);
    static final int MAX_KEY_LENGTH = 255;
    /** A claim older than this whose key is still in progress belongs to a request that died. */
    static final Duration LEASE = GenerationService.ABANDONED_AFTER;
    /** How long a request waits for the first request with its key before answering 409. */
    static final Duration IN_PROGRESS_WAIT = Duration.ofSeconds(5);

    private final IdempotencyKeys keys;
    private final JobRepository jobs;
    private final JsonMapper json;
    private final Clock clock;

    IdempotencyKeyClaims(IdempotencyKeys keys, JobRepository jobs, JsonMapper json, Clock clock) {
        this.keys = keys;
        this.jobs = jobs;
        this.json = json;
        this.clock = clock;
    }

    /**
     * What a request does about its key: go ahead ({@code replay} null) or answer an earlier job.
     *
     * @param key null when the request carried no key
     */
    record Claim(String userId, String key, String jobId, JobRecord replay) {

        boolean replayed() {
            return replay != null;
        }
    }

    /**
     * Claims the request's key for {@code jobId} (the job this request will create), or finds the
     * earlier request's job to answer with.
     *
     * @throws ApiException 400 for a malformed key, 422 {@code idempotency_key_reused}, 409 {@code
     *     idempotency_key_in_progress}
     */
    Claim claim(String userId, String rawKey, Object body, String jobId) {
        if (rawKey == null) {
            return new Claim(userId, null, jobId, null);
        }
        String key = checked(rawKey);
        String fingerprint = fingerprint(body);
        Instant giveUp = clock.instant().plus(IN_PROGRESS_WAIT);
        long pause = 25;
        while (true) {
            IdempotencyKey holder = keys.claim(userId, key, fingerprint, jobId);
            if (holder.jobId().equals(jobId)) {
                return new Claim(userId, key, jobId, null);
            }
            if (!holder.sameRequest(fingerprint)) {
                throw new ApiException(
                        ErrorCode.IDEMPOTENCY_KEY_REUSED,
                        "This Idempotency-Key was used for a request with another body; use a new key.");
            }
            if (holder.state() == State.BOUND) {
                JobRecord job = jobs.find(holder.jobId())
                        .orElseThrow(() -> new IllegalStateException("key bound to missing job " + holder.jobId()));
                return new Claim(userId, key, holder.jobId(), job);
            }
            if (holder.claimedAt() != null
                    && holder.claimedAt().isBefore(clock.instant().minus(LEASE))) {
                Optional<JobRecord> job = jobs.find(holder.jobId());
                if (job.isPresent()) {
                    keys.bind(userId, key, holder.jobId());
                    return new Claim(userId, key, holder.jobId(), job.get());
                }
                if (keys.takeOver(userId, key, holder.jobId(), fingerprint, jobId)) {
                    log.warn(
                            "Took over Idempotency-Key of user {} from job {}: never recorded", userId, holder.jobId());
                    return new Claim(userId, key, jobId, null);
                }
                continue;
            }
            if (clock.instant().isAfter(giveUp)) {
                throw new ApiException(
                        ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
                        "A request with this Idempotency-Key is still being processed; retry shortly.");
            }
            sleep(pause);
            pause = Math.min(pause * 2, 250);
        }
    }

    /** The request's job runs: later requests with the key answer it. Never fails the request. */
    void bind(Claim claim) {
        if (claim.key() == null || claim.replayed()) {
            return;
        }
        try {
            if (!keys.bind(claim.userId(), claim.key(), claim.jobId())) {
                log.warn("Idempotency-Key of user {} no longer held by job {}", claim.userId(), claim.jobId());
            }
        } catch (RuntimeException e) {
            // The job runs; a retry finds the claim past its lease with the job recorded and binds it then.
            log.warn("Could not bind the Idempotency-Key of job {}", claim.jobId(), e);
        }
    }

    /**
     * The request failed. Every refusal the API answers (validation, quota, in-flight cap, account
     * deletion, workflow not started) means no job runs: the key is released so a retry works. After an
     * unexpected failure the key is released only if the job was never recorded (so no workflow was
     * started); otherwise it stays claimed until its lease ends and a retry finds the job.
     */
    void release(Claim claim, RuntimeException failure) {
        if (claim.key() == null || claim.replayed()) {
            return;
        }
        try {
            if (failure instanceof ApiException || jobs.find(claim.jobId()).isEmpty()) {
                keys.release(claim.userId(), claim.key(), claim.jobId());
            }
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * SHA-256 of the canonical request JSON: the body as the API parsed it, members sorted, absent and
     * null members dropped. Whitespace, member order and explicit nulls do not make another request.
     */
    String fingerprint(Object body) {
        Map<String, Object> canonical = new TreeMap<>();
        if (body != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> members = json.convertValue(body, Map.class);
            members.forEach((name, value) -> {
                if (value != null) {
                    canonical.put(name, value);
                }
            });
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(json.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String checked(String key) {
        boolean printable = key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !printable) {
            throw new ApiException(
                    ErrorCode.VALIDATION_FAILED,
                    "Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " visible ASCII characters.",
                    List.of(new FieldError(
                            "Idempotency-Key", "must be 1 to " + MAX_KEY_LENGTH + " visible ASCII characters")));
        }
        return key;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(
                    ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
                    "A request with this Idempotency-Key is still being processed; retry shortly.");
        }
    }
}
