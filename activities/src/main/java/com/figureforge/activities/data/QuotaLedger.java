package com.figureforge.activities.data;

import static com.figureforge.activities.data.Items.n;
import static com.figureforge.activities.data.Items.s;
import static com.figureforge.activities.data.Items.time;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 *       {@code c#{jobId}} = images charged to that job, {@code r#{jobId}} = images refunded to it. The
 *       counter and the per-job markers live in one item, so one conditional UpdateItem checks and
 *       changes both: that is what makes a charge exactly-once per job and the limit exact under
 *       concurrency (DynamoDB serialises writes to one item).
 *   <li>{@code USER#{id}} / {@code INFLIGHT}: {@code jobs}, the string set of the user's unfinished
 *       jobs; a conditional ADD on {@code size(jobs)} enforces the in-flight cap.
 * </ul>
 *
 * <p>The item grows by about 40 bytes per job and period (twice that if refunded): with a 400 KB item
 * limit a period holds several thousand jobs, far above every plan's monthly images (each job charges at
 * least one image).
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
     * see the cap reached), whereas undoing a charge would need a refund, and a job that was charged and
     * refunded counts as ALREADY_RESERVED forever: a retry of it would then run without being charged.
     * If the process dies between (1) and (2), a retry of the same job finds its slot taken by itself and
     * carries on; {@link #inFlightJobs} lets an operator or a reconciler find orphans.
     */
    public Reservation reserve(
            String userId, String jobId, int images, String period, int monthlyLimit, int inFlightCap) {
        if (images < 1) {
            throw new IllegalArgumentException("images must be at least 1");
        }
        if (monthlyLimit < 0 || inFlightCap < 1) {
            throw new IllegalArgumentException("monthlyLimit must be >= 0 and inFlightCap >= 1");
        }
        Map<String, AttributeValue> quotaKey = Keys.key(Keys.user(userId), Keys.quota(period));
        String charge = CHARGE_PREFIX + jobId;
        if (read(quotaKey).containsKey(charge)) {
            return Reservation.ALREADY_RESERVED;
        }
        if (images > monthlyLimit) {
            // can never fit; checked here because the condition below passes on a fresh counter
            return Reservation.QUOTA_EXCEEDED;
        }
        if (!takeInFlightSlot(userId, jobId, inFlightCap)) {
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
     * Gives back up to {@code images} of a job's charge (all of it when the job failed or was canceled,
     * the blocked ones when the safety checker blocked some), at most once per job: the write is
     * conditional on the job's charge marker existing and its refund marker not existing. Never refunds
     * more than was charged.
     *
     * @return the images refunded by this call; 0 if the job was never charged in this period or was
     *     refunded before
     */
    public int refund(String userId, String jobId, String period, int images) {
        if (images < 1) {
            return 0;
        }
        Map<String, AttributeValue> quotaKey = Keys.key(Keys.user(userId), Keys.quota(period));
        Map<String, AttributeValue> quota = read(quotaKey);
        String charge = CHARGE_PREFIX + jobId;
        String refund = REFUND_PREFIX + jobId;
        Long charged = Items.number(quota, charge);
        if (charged == null || quota.containsKey(refund)) {
            return 0;
        }
        long amount = Math.min(images, charged);
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(quotaKey)
                    .updateExpression("SET #refund = :amount, #updatedAt = :now ADD #used :minus")
                    .conditionExpression("#charge = :charged AND attribute_not_exists(#refund)")
                    .expressionAttributeNames(
                            Map.of("#charge", charge, "#refund", refund, "#used", USED, "#updatedAt", UPDATED_AT))
                    .expressionAttributeValues(
                            Map.of(":amount", n(amount), ":minus", n(-amount), ":charged", n(charged), ":now", now())));
            return (int) amount;
        } catch (ConditionalCheckFailedException refundedConcurrently) {
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
                    .updateExpression("SET #updatedAt = :now DELETE #jobs :job")
                    .conditionExpression("contains(#jobs, :jobId)")
                    .expressionAttributeNames(Map.of("#jobs", JOBS, "#updatedAt", UPDATED_AT))
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

    /** Images charged to a job in a period (before refunds), 0 if none. */
    public int charged(String userId, String jobId, String period) {
        return (int) Items.number(read(Keys.key(Keys.user(userId), Keys.quota(period))), CHARGE_PREFIX + jobId, 0);
    }

    /**
     * Adds the job to the in-flight set unless the set is full. True if the job holds a slot afterwards
     * (taken now, or held already by an earlier attempt for the same job).
     */
    private boolean takeInFlightSlot(String userId, String jobId, int cap) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Keys.key(Keys.user(userId), Keys.INFLIGHT))
                    .updateExpression("SET #type = :type, #updatedAt = :now ADD #jobs :job")
                    .conditionExpression(
                            "(attribute_not_exists(#jobs) OR size(#jobs) < :cap) AND NOT contains(#jobs, :jobId)")
                    .expressionAttributeNames(
                            Map.of("#jobs", JOBS, "#type", FigureForgeTable.TYPE, "#updatedAt", UPDATED_AT))
                    .expressionAttributeValues(Map.of(
                            ":job", Items.stringSet(jobId),
                            ":jobId", s(jobId),
                            ":cap", n(cap),
                            ":type", s(TYPE_INFLIGHT),
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
