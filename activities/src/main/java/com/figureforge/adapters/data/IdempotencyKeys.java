package com.figureforge.adapters.data;

import static com.figureforge.adapters.data.Items.n;
import static com.figureforge.adapters.data.Items.s;
import static com.figureforge.adapters.data.Items.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Idempotency-Key claims of the generation endpoint: item {@code USER#{userId}} / {@code
 * IDEM#{sha256(key)}} holding the job id of the request that claimed the key, the fingerprint of its
 * body, its state and a {@code ttl}.
 *
 * <p>The life of a key, one conditional write per step (the state machine of
 * draft-ietf-httpapi-idempotency-key-header, kept here so it lives in one place):
 *
 * <pre>
 *   absent or expired --claim--------> in_progress(jobId, fingerprint)   before anything is reserved
 *   in_progress       --bind---------> bound(jobId)                      the job's workflow started
 *   in_progress       --release------> absent                            the request failed, no job runs
 *   in_progress       --takeOver-----> in_progress(newJobId)             its request died before recording its job
 *   any               --24 h---------> expired                           reads as absent; a claim overwrites it
 * </pre>
 *
 * Why this shape: claiming first means a retry racing its own first attempt never reserves quota or an
 * in-flight slot for itself (it waits for the first attempt's job or gets 409); releasing on failure
 * means a key whose request was refused (400, 402, 429, 503) never points at a job that does not
 * exist; the job id is fixed at claim time so that a claim whose request died can be checked against
 * the job table before anyone takes it over. dynalite does not delete on TTL (and DynamoDB deletes
 * late), so every read treats an item past its {@code ttl} as absent and {@link #claim} overwrites it.
 * Which request may take over or release what is decided by the caller (the app's
 * {@code IdempotencyKeyClaims}); this class only makes each transition atomic.
 */
public class IdempotencyKeys {

    /** How long a key is remembered after its claim. */
    public static final Duration RETENTION = Duration.ofHours(24);

    static final String TYPE_IDEMPOTENCY_KEY = "idempotency_key";

    private static final String IDEMPOTENCY_KEY = "idempotencyKey";
    private static final String JOB_ID = "jobId";
    private static final String FINGERPRINT = "fingerprint";
    private static final String STATE = "state";
    private static final String CLAIMED_AT = "claimedAt";
    private static final String BOUND_AT = "boundAt";
    private static final int CLAIM_ATTEMPTS = 5;

    /** Where a claimed key stands. */
    public enum State {
        /** Claimed by a request still between claiming and starting its job's workflow. */
        IN_PROGRESS,
        /** The job exists and runs (or ran): every later request with the key answers it. */
        BOUND;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State fromWire(String wire) {
            return "in_progress".equals(wire) ? IN_PROGRESS : BOUND;
        }
    }

    /**
     * A live (not expired) key.
     *
     * @param jobId the job of the request that claimed it
     * @param fingerprint of that request's body (compared, never parsed)
     */
    public record IdempotencyKey(String jobId, String fingerprint, State state, Instant claimedAt, Instant expiresAt) {

        /** Whether a request whose body has this fingerprint is the same request. */
        public boolean sameRequest(String otherFingerprint) {
            return fingerprint == null || fingerprint.equals(otherFingerprint);
        }
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public IdempotencyKeys(DynamoDbClient dynamo, String tableName, Clock clock) {
        this.dynamo = Objects.requireNonNull(dynamo);
        this.table = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Claims the user's key for a job: a put conditional on no live item (absent, or past its ttl).
     *
     * @return the key as it now stands: claimed by this call when its {@code jobId} equals {@code
     *     jobId}, else the live claim of an earlier request
     */
    public IdempotencyKey claim(String userId, String key, String fingerprint, String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            Instant now = now();
            Map<String, AttributeValue> item = newItem(userId, key, fingerprint, jobId, now);
            try {
                dynamo.putItem(b -> b.tableName(table)
                        .item(item)
                        .conditionExpression("attribute_not_exists(#pk) OR #ttl < :now")
                        .expressionAttributeNames(Map.of("#pk", FigureForgeTable.PK, "#ttl", FigureForgeTable.TTL))
                        .expressionAttributeValues(Map.of(":now", n(now.getEpochSecond()))));
                return fromItem(item);
            } catch (ConditionalCheckFailedException held) {
                Optional<IdempotencyKey> holder = find(userId, key);
                if (holder.isPresent()) {
                    return holder.get();
                }
                // released or expired between our put and our read: claim again
            }
        }
        throw new IllegalStateException("idempotency key kept changing hands while claiming it");
    }

    /** The user's key unless absent or expired (a strongly consistent read). */
    public Optional<IdempotencyKey> find(String userId, String key) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.user(userId), Keys.idempotency(key)))
                        .consistentRead(true))
                .item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        Long ttl = Items.number(item, FigureForgeTable.TTL);
        boolean expired = ttl != null && ttl < now().getEpochSecond();
        return expired ? Optional.empty() : Optional.of(fromItem(item));
    }

    /**
     * {@code in_progress -> bound}: the claim's job exists and runs. Idempotent.
     *
     * @return false if the key is no longer claimed for this job (released, expired and taken)
     */
    public boolean bind(String userId, String key, String jobId) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Keys.key(Keys.user(userId), Keys.idempotency(key)))
                    .updateExpression("SET #state = :bound, #boundAt = if_not_exists(#boundAt, :now)")
                    .conditionExpression("#jobId = :job")
                    .expressionAttributeNames(Map.of("#state", STATE, "#boundAt", BOUND_AT, "#jobId", JOB_ID))
                    .expressionAttributeValues(
                            Map.of(":bound", s(State.BOUND.wire()), ":now", time(now()), ":job", s(jobId))));
            return true;
        } catch (ConditionalCheckFailedException notOurs) {
            return false;
        }
    }

    /**
     * {@code in_progress -> absent}: the request that claimed the key for this job failed before the
     * job ran, so a retry with the key starts afresh. A bound key is never released.
     *
     * @return whether this call released it
     */
    public boolean release(String userId, String key, String jobId) {
        try {
            dynamo.deleteItem(b -> b.tableName(table)
                    .key(Keys.key(Keys.user(userId), Keys.idempotency(key)))
                    .conditionExpression("#jobId = :job AND #state = :inProgress")
                    .expressionAttributeNames(Map.of("#jobId", JOB_ID, "#state", STATE))
                    .expressionAttributeValues(Map.of(":job", s(jobId), ":inProgress", s(State.IN_PROGRESS.wire()))));
            return true;
        } catch (ConditionalCheckFailedException notOurs) {
            return false;
        }
    }

    /**
     * {@code in_progress(staleJobId) -> in_progress(jobId)}: a new claim replaces one whose request is
     * gone. Conditional on the stale claim still standing, so of several requests taking over one wins.
     *
     * @return whether this call took the key
     */
    public boolean takeOver(String userId, String key, String staleJobId, String fingerprint, String jobId) {
        Map<String, AttributeValue> item = newItem(userId, key, fingerprint, jobId, now());
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("#jobId = :stale AND #state = :inProgress")
                    .expressionAttributeNames(Map.of("#jobId", JOB_ID, "#state", STATE))
                    .expressionAttributeValues(
                            Map.of(":stale", s(staleJobId), ":inProgress", s(State.IN_PROGRESS.wire()))));
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false;
        }
    }

    private Map<String, AttributeValue> newItem(
            String userId, String key, String fingerprint, String jobId, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.key(Keys.user(userId), Keys.idempotency(key)));
        item.put(FigureForgeTable.TYPE, s(TYPE_IDEMPOTENCY_KEY));
        item.put(IDEMPOTENCY_KEY, s(key));
        item.put(JOB_ID, s(jobId));
        item.put(FINGERPRINT, s(Objects.requireNonNull(fingerprint, "fingerprint")));
        item.put(STATE, s(State.IN_PROGRESS.wire()));
        item.put(CLAIMED_AT, time(now));
        item.put(FigureForgeTable.TTL, n(now.plus(RETENTION).getEpochSecond()));
        return item;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static IdempotencyKey fromItem(Map<String, AttributeValue> item) {
        Long ttl = Items.number(item, FigureForgeTable.TTL);
        return new IdempotencyKey(
                Items.string(item, JOB_ID),
                Items.string(item, FINGERPRINT),
                State.fromWire(Items.string(item, STATE)),
                Items.time(item, CLAIMED_AT),
                ttl == null ? null : Instant.ofEpochSecond(ttl));
    }
}
