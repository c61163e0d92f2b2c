package com.figureforge.adapters.data;

import static com.figureforge.adapters.data.Items.n;
import static com.figureforge.adapters.data.Items.s;
import static com.figureforge.adapters.data.Items.time;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The quota ledger: "nothing is charged twice, nothing is refunded twice", with single-item
 * conditional writes only (the local stack's DynamoDB, dynalite, has no transactions; a transaction
 * would not make this simpler anyway).
 *
 * <p>Two items per user:
 *
 * <ul>
 *   <li>{@code USER#{id}} / {@code QUOTA#{period}}: {@code used} (images charged minus refunded),
 *       {@code c#{jobId}} = images charged to a job whose outcome is still open (removed when it is
 *       settled, see {@link #settle}). The
 *       counter and the per-job markers live in one item, so one conditional UpdateItem checks and
 *       changes both: that is what makes a charge exactly-once per job and the limit exact under
 *       concurrency (DynamoDB serialises writes to one item).
 *   <li>{@code USER#{id}} / {@code INFLIGHT}: {@code jobs}, the string set of the user's unfinished
 *       jobs; a conditional ADD on {@code size(jobs)} enforces the in-flight cap. {@code p#{jobId}} =
 *       the period the job was reserved against.
 * </ul>
 *
 * <p>Both items stay small: a job's markers live only from its reservation to its settlement, so
 * neither grows with the number of jobs a period has seen.
 */
public class QuotaLedger {

    static final String TYPE_QUOTA = "quota";
    static final String TYPE_INFLIGHT = "inflight";

    private static final String USED = "used";
    private static final String PERIOD = "period";
    private static final String JOBS = "jobs";
    private static final String UPDATED_AT = "updatedAt";
    private static final String CHARGE_PREFIX = "c#";
    private static final String REFUND_PREFIX = "r#";
    private static final String PERIOD_PREFIX = "p#";

    /** A user's usage in one period. */
    public record Usage(long used, long limit, long remaining, int inFlight) {}

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public QuotaLedger(DynamoDbClient dynamo, String tableName, Clock clock) {
        this.dynamo = Objects.requireNonNull(dynamo);
        this.table = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Reserves {@code images} of the period's quota and one in-flight slot for a job, keyed by the job
     * id: a second call for the same job charges nothing and answers {@link Reservation#ALREADY_RESERVED}.
     * Call it for a job that has not started yet (accepting a request, or resuming one whose job record is
     * not stored yet); a job that already finished released its slot, and this does not take it again.
     *
     * <p>Order: (0) if the job is charged in this period, answer ALREADY_RESERVED and touch nothing;
     * (1) take the in-flight slot; (2) charge the quota; if (2) finds no room, give the slot back.
     * Slot first because giving back a slot is harmless (the set is keyed by job id, the step is
     * idempotent, and the only side effect is a moment in which a concurrent request of the same user may
     * see the cap reached), whereas undoing a charge is a settlement, after which the job is forgotten.
     * If the process dies between (1) and (2), a retry of the same job finds its slot taken by itself and
     * carries on; {@link #inFlightJobs} and {@link #reservedPeriod} let a reconciler find and settle orphans.
     * Only call it for a job id that was never settled: a settled job is forgotten and would be charged again.
     */
    public Reservation reserve(
            String userId, String jobId, int images, String period, int monthlyLimit, int inFlightCap) {
        if (read(Keys.key(Keys.user(userId), Keys.quota(period))).containsKey(CHARGE_PREFIX + jobId)) {
            return Reservation.ALREADY_RESERVED;
        }
        return reserveNew(userId, jobId, images, period, monthlyLimit, inFlightCap);
    }

    /**
     * {@link #reserve} for a job id the caller has just issued, which no one can have reserved or
     * settled: step (0)'s read is left out, so accepting a job costs two writes and no read. A repeat
     * for the same job still answers {@link Reservation#ALREADY_RESERVED} (the charge's condition
     * finds its marker); only a job that finished and gave its slot back would take a slot again.
     */
    public Reservation reserveNew(
            String userId, String jobId, int images, String period, int monthlyLimit, int inFlightCap) {
        if (images < 1) {
            throw new IllegalArgumentException("images must be at least 1");
        }
        if (monthlyLimit < 0 || inFlightCap < 1) {
            throw new IllegalArgumentException("monthlyLimit must be >= 0 and inFlightCap >= 1");
        }
        Map<String, AttributeValue> quotaKey = Keys.key(Keys.user(userId), Keys.quota(period));
        String charge = CHARGE_PREFIX + jobId;
        if (images > monthlyLimit) {
            // can never fit; checked here because the condition below passes on a fresh counter
            return Reservation.QUOTA_EXCEEDED;
        }
        if (!takeInFlightSlot(userId, jobId, inFlightCap, period)) {
            return Reservation.TOO_MANY_JOBS;
        }
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(quotaKey)
                    .updateExpression(
                            "SET #charge = :n, #type = :type, #period = :period, #updatedAt = :now ADD #used :n")
                    .conditionExpression(
                            "attribute_not_exists(#charge) AND (attribute_not_exists(#used) OR #used <= :maxUsed)")
                    .expressionAttributeNames(Map.of(
                            "#charge", charge,
                            "#used", USED,
                            "#type", FigureForgeTable.TYPE,
                            "#period", PERIOD,
                            "#updatedAt", UPDATED_AT))
                    .expressionAttributeValues(Map.of(
                            ":n", n(images),
                            ":maxUsed", n((long) monthlyLimit - images),
                            ":type", s(TYPE_QUOTA),
                            ":period", s(period),
                            ":now", now())));
            return Reservation.RESERVED;
        } catch (ConditionalCheckFailedException e) {
            // Charge markers are never removed: if ours exists now, a concurrent call for the same job
            // charged it and keeps the slot. Otherwise there was no room: give the slot back.
            if (read(quotaKey).containsKey(charge)) {
                return Reservation.ALREADY_RESERVED;
            }
            releaseInFlight(userId, jobId);
            return Reservation.QUOTA_EXCEEDED;
        }
    }

    /**
     * Reserves a whole variation set: {@code imagesPerJob} for each of {@code jobIds} and a slot for each,
     * or nothing. Each job gets its own charge marker and slot, exactly as {@link #reserve} leaves them, so
     * every job settles on its own. Two conditional writes, like {@link #reserve}: (1) all slots at once,
     * admitted while the set is below the cap (a set enters like one job; its jobs then hold a slot each,
     * so nothing else starts until they drain below the cap); (2) all charges at once against the room
     * left; if (2) fails, the slots go back in one write. The job ids must be fresh (never reserved).
     */
    public Reservation reserveAll(
            String userId, List<String> jobIds, int imagesPerJob, String period, int monthlyLimit, int inFlightCap) {
        if (jobIds.isEmpty() || imagesPerJob < 1 || monthlyLimit < 0 || inFlightCap < 1) {
            throw new IllegalArgumentException("a set needs jobs, images >= 1, monthlyLimit >= 0 and a cap >= 1");
        }
        long total = (long) imagesPerJob * jobIds.size();
        if (total > monthlyLimit) {
            return Reservation.QUOTA_EXCEEDED;
        }
        Map<String, String> slotNames = new HashMap<>(Map.of("#jobs", JOBS, "#type", FigureForgeTable.TYPE));
        slotNames.put("#updatedAt", UPDATED_AT);
        Map<String, AttributeValue> slotValues = new HashMap<>(
                Map.of(":jobs", AttributeValue.fromSs(jobIds), ":cap", n(inFlightCap), ":type", s(TYPE_INFLIGHT)));
        slotValues.put(":now", now());
        slotValues.put(":period", s(period));
        StringJoiner periods = new StringJoiner(", ");
        StringJoiner notHeld = new StringJoiner(" AND ");
        for (int i = 0; i < jobIds.size(); i++) {
            slotNames.put("#p" + i, PERIOD_PREFIX + jobIds.get(i));
            slotValues.put(":j" + i, s(jobIds.get(i)));
            periods.add("#p" + i + " = :period");
            notHeld.add("NOT contains(#jobs, :j" + i + ")");
        }
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Keys.key(Keys.user(userId), Keys.INFLIGHT))
                    .updateExpression("SET #type = :type, #updatedAt = :now, " + periods + " ADD #jobs :jobs")
                    .conditionExpression("(attribute_not_exists(#jobs) OR size(#jobs) < :cap) AND " + notHeld)
                    .expressionAttributeNames(slotNames)
                    .expressionAttributeValues(slotValues));
        } catch (ConditionalCheckFailedException full) {
            return Reservation.TOO_MANY_JOBS;
        }
        Map<String, String> chargeNames = new HashMap<>(
                Map.of("#used", USED, "#type", FigureForgeTable.TYPE, "#period", PERIOD, "#updatedAt", UPDATED_AT));
        Map<String, AttributeValue> chargeValues = new HashMap<>(Map.of(
                ":n", n(imagesPerJob),
                ":total", n(total),
                ":maxUsed", n(monthlyLimit - total),
                ":type", s(TYPE_QUOTA),
                ":period", s(period),
                ":now", now()));
        StringJoiner charges = new StringJoiner(", ");
        StringJoiner uncharged = new StringJoiner(" AND ");
        for (int i = 0; i < jobIds.size(); i++) {
            chargeNames.put("#c" + i, CHARGE_PREFIX + jobIds.get(i));
            charges.add("#c" + i + " = :n");
            uncharged.add("attribute_not_exists(#c" + i + ")");
        }
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Keys.key(Keys.user(userId), Keys.quota(period)))
                    .updateExpression(
                            "SET " + charges + ", #type = :type, #period = :period, #updatedAt = :now ADD #used :total")
                    .conditionExpression(uncharged + " AND (attribute_not_exists(#used) OR #used <= :maxUsed)")
                    .expressionAttributeNames(chargeNames)
                    .expressionAttributeValues(chargeValues));
            return Reservation.RESERVED;
        } catch (ConditionalCheckFailedException noRoom) {
            releaseAllInFlight(userId, jobIds, slotNames);
            return Reservation.QUOTA_EXCEEDED;
        }
    }

    /** Gives back the slots {@link #reserveAll} took, in one write; idempotent. */
    private void releaseAllInFlight(String userId, List<String> jobIds, Map<String, String> slotNames) {
        StringJoiner periods = new StringJoiner(", ");
        Map<String, String> names = new HashMap<>(Map.of("#jobs", JOBS, "#updatedAt", UPDATED_AT));
        for (int i = 0; i < jobIds.size(); i++) {
            names.put("#p" + i, slotNames.get("#p" + i));
            periods.add("#p" + i);
        }
        dynamo.updateItem(b -> b.tableName(table)
                .key(Keys.key(Keys.user(userId), Keys.INFLIGHT))
                .updateExpression("SET #updatedAt = :now DELETE #jobs :jobs REMOVE " + periods)
                .expressionAttributeNames(names)
                .expressionAttributeValues(Map.of(":jobs", AttributeValue.fromSs(jobIds), ":now", now())));
    }

    /**
     * Settles a job's charge once its outcome is decided: gives back {@code refundImages} of it (at most
     * what was charged; 0 keeps the whole charge) and forgets the job's marker, in one conditional write
     * on the counter. Idempotent: a job is settled at most once, and a later call (a retried activity, a
     * second path) finds no marker and changes nothing.
     *
     * <p>Forgetting the marker is what bounds the counter item: it holds markers only for jobs whose
     * outcome is still open (at most the in-flight cap, plus reservations of requests that died, which
     * {@link #reservedPeriod} lets a reconciler settle). A settled job id is never reserved again: job
     * ids are fresh per accepted request. Items written before markers were forgotten may still hold a
     * refund marker {@code r#{jobId}}: such a job was refunded already, so it is only forgotten.
     *
     * @return the images given back by this call; 0 if the job was settled before or never charged in
     *     this period
     */
    public int settle(String userId, String jobId, String period, int refundImages) {
        if (refundImages < 0) {
            throw new IllegalArgumentException("refundImages must be >= 0");
        }
        Map<String, AttributeValue> quotaKey = Keys.key(Keys.user(userId), Keys.quota(period));
        Map<String, AttributeValue> quota = read(quotaKey);
        String charge = CHARGE_PREFIX + jobId;
        String refund = REFUND_PREFIX + jobId;
        Long charged = Items.number(quota, charge);
        if (charged == null) {
            return 0;
        }
        boolean refundedBefore = quota.containsKey(refund);
        long amount = refundedBefore ? 0 : Math.min(refundImages, charged);
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(quotaKey)
                    .updateExpression("SET #updatedAt = :now ADD #used :minus REMOVE #charge, #refund")
                    .conditionExpression(
                            refundedBefore
                                    ? "#charge = :charged AND attribute_exists(#refund)"
                                    : "#charge = :charged AND attribute_not_exists(#refund)")
                    .expressionAttributeNames(
                            Map.of("#charge", charge, "#refund", refund, "#used", USED, "#updatedAt", UPDATED_AT))
                    .expressionAttributeValues(Map.of(":minus", n(-amount), ":charged", n(charged), ":now", now())));
            return (int) amount;
        } catch (ConditionalCheckFailedException settledConcurrently) {
            return 0;
        }
    }

    /**
     * Frees the job's in-flight slot; idempotent.
     *
     * @return true if this call freed it, false if the job held no slot
     */
    public boolean releaseInFlight(String userId, String jobId) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Keys.key(Keys.user(userId), Keys.INFLIGHT))
                    .updateExpression("SET #updatedAt = :now DELETE #jobs :job REMOVE #period")
                    .conditionExpression("contains(#jobs, :jobId)")
                    .expressionAttributeNames(
                            Map.of("#jobs", JOBS, "#updatedAt", UPDATED_AT, "#period", PERIOD_PREFIX + jobId))
                    .expressionAttributeValues(
                            Map.of(":job", Items.stringSet(jobId), ":jobId", s(jobId), ":now", now())));
            return true;
        } catch (ConditionalCheckFailedException notInFlight) {
            return false;
        }
    }

    /** Images used and left in a period, and the jobs in flight now (strongly consistent reads). */
    public Usage usage(String userId, String period, int monthlyLimit) {
        long used = Math.max(0, Items.number(read(Keys.key(Keys.user(userId), Keys.quota(period))), USED, 0));
        return new Usage(
                used,
                monthlyLimit,
                Math.max(0, monthlyLimit - used),
                inFlightJobs(userId).size());
    }

    /** The ids of the user's jobs holding an in-flight slot. */
    public Set<String> inFlightJobs(String userId) {
        Map<String, AttributeValue> item = read(Keys.key(Keys.user(userId), Keys.INFLIGHT));
        return new TreeSet<>(Items.strings(item, JOBS));
    }

    /**
     * The quota period a job's in-flight slot was reserved against, so a reconciler settles a
     * reservation whose request died against the right counter even after the period has turned.
     * Empty when the job holds no slot, or took it before periods were recorded with slots.
     */
    public Optional<String> reservedPeriod(String userId, String jobId) {
        return Optional.ofNullable(
                Items.string(read(Keys.key(Keys.user(userId), Keys.INFLIGHT)), PERIOD_PREFIX + jobId));
    }

    /** Images charged to a job in a period and not yet settled, 0 if none. */
    public int charged(String userId, String jobId, String period) {
        return (int) Items.number(read(Keys.key(Keys.user(userId), Keys.quota(period))), CHARGE_PREFIX + jobId, 0);
    }

    /**
     * Adds the job to the in-flight set unless the set is full. True if the job holds a slot afterwards
     * (taken now, or held already by an earlier attempt for the same job).
     */
    private boolean takeInFlightSlot(String userId, String jobId, int cap, String period) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Keys.key(Keys.user(userId), Keys.INFLIGHT))
                    .updateExpression("SET #type = :type, #updatedAt = :now, #period = :period ADD #jobs :job")
                    .conditionExpression(
                            "(attribute_not_exists(#jobs) OR size(#jobs) < :cap) AND NOT contains(#jobs, :jobId)")
                    .expressionAttributeNames(Map.of(
                            "#jobs",
                            JOBS,
                            "#type",
                            FigureForgeTable.TYPE,
                            "#updatedAt",
                            UPDATED_AT,
                            "#period",
                            PERIOD_PREFIX + jobId))
                    .expressionAttributeValues(Map.of(
                            ":job", Items.stringSet(jobId),
                            ":jobId", s(jobId),
                            ":cap", n(cap),
                            ":type", s(TYPE_INFLIGHT),
                            ":period", s(period),
                            ":now", now())));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return inFlightJobs(userId).contains(jobId);
        }
    }

    private Map<String, AttributeValue> read(Map<String, AttributeValue> key) {
        Map<String, AttributeValue> item = dynamo.getItem(
                        b -> b.tableName(table).key(key).consistentRead(true))
                .item();
        return item == null ? Map.of() : item;
    }

    private AttributeValue now() {
        return time(clock.instant().truncatedTo(ChronoUnit.MILLIS));
    }
}
