package com.figureforge.adapters.data;

import static com.figureforge.adapters.data.Items.n;
import static com.figureforge.adapters.data.Items.putString;
import static com.figureforge.adapters.data.Items.putTime;
import static com.figureforge.adapters.data.Items.s;
import static com.figureforge.adapters.data.Items.time;

import com.figureforge.workflows.generation.FalSubmission;
import com.figureforge.workflows.generation.JobStatus;
import com.figureforge.workflows.generation.StoredImage;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Generation jobs ({@code JOB#{jobId}} / {@code JOB}); the Idempotency-Keys that point at them are
 * {@link IdempotencyKeys}. Every state change is one conditional write, so retried activities and
 * racing requests cannot apply a change twice. Callers check ownership by comparing
 * {@link JobRecord#userId()}.
 */
public class JobRepository {

    static final String TYPE_JOB = "job";

    private static final String JOB_ID = "jobId";
    private static final String USER_ID = "userId";
    private static final String STATUS = "status";
    private static final String REQUEST = "requestJson";
    private static final String PROMPT = "prompt";
    private static final String NUM_IMAGES = "numImages";
    private static final String VISIBILITY = "visibility";
    private static final String QUOTA_PERIOD = "quotaPeriod";
    private static final String FAL = "fal";
    private static final String IMAGE_IDS = "imageIds";
    private static final String ERROR_CODE = "errorCode";
    private static final String ERROR_MESSAGE = "errorMessage";
    private static final String CREATED_AT = "createdAt";
    private static final String STARTED_AT = "startedAt";
    private static final String FINISHED_AT = "finishedAt";
    private static final String REFUNDED_IMAGES = "refundedImages";
    private static final String STORED_IMAGES = "storedImages";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public JobRepository(DynamoDbClient dynamo, String tableName, Clock clock) {
        this.dynamo = Objects.requireNonNull(dynamo);
        this.table = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Stores a new job (conditional on no job with that id existing). A {@code null} createdAt is set
     * to now.
     *
     * @return true if stored, false if a job with this id already exists (left unchanged)
     */
    public boolean create(JobRecord job) {
        Instant createdAt =
                (job.createdAt() == null ? clock.instant() : job.createdAt()).truncatedTo(ChronoUnit.MILLIS);
        Map<String, AttributeValue> item = new HashMap<>(Keys.key(Keys.job(job.jobId()), Keys.JOB));
        item.put(FigureForgeTable.TYPE, s(TYPE_JOB));
        item.put(FigureForgeTable.GSI2_PK, s(Keys.user(job.userId())));
        item.put(FigureForgeTable.GSI2_SK, s(Keys.jobSortKey(createdAt, job.jobId())));
        item.put(JOB_ID, s(job.jobId()));
        item.put(USER_ID, s(job.userId()));
        item.put(STATUS, s(job.status().wire()));
        putString(item, REQUEST, job.requestJson());
        putString(item, PROMPT, job.prompt());
        item.put(NUM_IMAGES, n(job.numImages()));
        putString(item, VISIBILITY, job.visibility());
        putString(item, QUOTA_PERIOD, job.quotaPeriod());
        if (job.falSubmission() != null) {
            item.put(FAL, JobItemAttributes.falToAttribute(job.falSubmission()));
        }
        if (!job.imageIds().isEmpty()) {
            item.put(IMAGE_IDS, Items.list(job.imageIds()));
        }
        putString(item, ERROR_CODE, job.errorCode());
        putString(item, ERROR_MESSAGE, job.errorMessage());
        item.put(CREATED_AT, time(createdAt));
        putTime(item, STARTED_AT, job.startedAt());
        putTime(item, FINISHED_AT, job.finishedAt());
        if (job.refundedImages() != null) {
            item.put(REFUNDED_IMAGES, n(job.refundedImages()));
        }
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", FigureForgeTable.PK)));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    /**
     * Every job id of the user, oldest first, a page of {@code gsi2} at a time (account deletion: each
     * job has a workflow execution to delete). The index is eventually consistent; new jobs are blocked
     * by then.
     */
    public void forEachJobIdOfUser(String userId, Consumer<String> jobId) {
        Map<String, AttributeValue> startKey = null;
        do {
            QueryResponse page = dynamo.query(QueryRequest.builder()
                    .tableName(table)
                    .indexName(FigureForgeTable.GSI2)
                    .keyConditionExpression("#pk = :pk AND begins_with(#sk, :job)")
                    .projectionExpression("#jobId")
                    .expressionAttributeNames(
                            Map.of("#pk", FigureForgeTable.GSI2_PK, "#sk", FigureForgeTable.GSI2_SK, "#jobId", JOB_ID))
                    .expressionAttributeValues(Map.of(":pk", s(Keys.user(userId)), ":job", s(Keys.JOB + "#")))
                    .exclusiveStartKey(startKey)
                    .build());
            page.items().stream()
                    .map(item -> Items.string(item, JOB_ID))
                    .filter(Objects::nonNull)
                    .forEach(jobId);
            startKey =
                    page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (startKey != null);
    }

    /** The job by id alone (strongly consistent read); the caller compares the owner. */
    public Optional<JobRecord> find(String jobId) {
        Map<String, AttributeValue> item = get(Keys.job(jobId), Keys.JOB);
        return item == null ? Optional.empty() : Optional.of(fromItem(item));
    }

    /**
     * Records fal.ai's answer to the submit, once: conditional on the job existing and having none.
     *
     * @return the stored submission: {@code submission} if this call stored it, else the one stored
     *     before (a retried submit activity must follow that request, not its own)
     * @throws IllegalStateException if there is no such job
     */
    public FalSubmission recordFalSubmission(String jobId, FalSubmission submission) {
        Objects.requireNonNull(submission, "submission");
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Keys.key(Keys.job(jobId), Keys.JOB))
                    .updateExpression("SET #fal = :fal")
                    .conditionExpression("attribute_exists(#pk) AND attribute_not_exists(#fal)")
                    .expressionAttributeNames(Map.of("#pk", FigureForgeTable.PK, "#fal", FAL))
                    .expressionAttributeValues(Map.of(":fal", JobItemAttributes.falToAttribute(submission))));
            return submission;
        } catch (ConditionalCheckFailedException e) {
            return findFalSubmission(jobId)
                    .orElseThrow(() -> new IllegalStateException("no job " + jobId + " to record a fal request on"));
        }
    }

    /**
     * {@link #recordFalSubmission} and {@link #markRunning} in one write when the job is queued and has no
     * submission yet (every first submit); otherwise the two as before, one after the other.
     *
     * @return the stored submission, as {@link #recordFalSubmission}
     * @throws IllegalStateException if there is no such job
     */
    public FalSubmission recordFalSubmissionAndMarkRunning(String jobId, FalSubmission submission) {
        Objects.requireNonNull(submission, "submission");
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Keys.key(Keys.job(jobId), Keys.JOB))
                    .updateExpression("SET #fal = :fal, #status = :running, #startedAt = :now")
                    .conditionExpression("attribute_exists(#pk) AND attribute_not_exists(#fal) AND #status = :queued")
                    .expressionAttributeNames(Map.of(
                            "#pk", FigureForgeTable.PK, "#fal", FAL, "#status", STATUS, "#startedAt", STARTED_AT))
                    .expressionAttributeValues(Map.of(
                            ":fal", JobItemAttributes.falToAttribute(submission),
                            ":running", s(JobStatus.RUNNING.wire()),
                            ":queued", s(JobStatus.QUEUED.wire()),
                            ":now", time(now()))));
            return submission;
        } catch (ConditionalCheckFailedException notFirst) {
            FalSubmission stored = recordFalSubmission(jobId, submission);
            markRunning(jobId);
            return stored;
        }
    }

    /** The recorded fal.ai submission of a job, if any. */
    public Optional<FalSubmission> findFalSubmission(String jobId) {
        return find(jobId).map(JobRecord::falSubmission);
    }

    /**
     * Moves a job from {@code queued} to {@code running}.
     *
     * @return true if this call changed it; false if the job is not queued (already running, finished)
     *     or does not exist
     */
    public boolean markRunning(String jobId) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Keys.key(Keys.job(jobId), Keys.JOB))
                    .updateExpression("SET #status = :running, #startedAt = :now")
                    .conditionExpression("#status = :queued")
                    .expressionAttributeNames(Map.of("#status", STATUS, "#startedAt", STARTED_AT))
                    .expressionAttributeValues(Map.of(
                            ":running", s(JobStatus.RUNNING.wire()),
                            ":queued", s(JobStatus.QUEUED.wire()),
                            ":now", time(now()))));
            return true;
        } catch (ConditionalCheckFailedException notQueued) {
            return false;
        }
    }

    /**
     * Finishes a job that has not finished yet ({@code queued} or {@code running}) with its outcome, in
     * one conditional write: status, images, error and refund are decided together.
     *
     * @return true if this call finished the job; false if it was already finished (left unchanged)
     *     or does not exist
     */
    public boolean finish(String jobId, JobOutcome outcome) {
        return finishAndRead(jobId, outcome).isPresent();
    }

    /**
     * {@link #finish}, returning the finished record when this call finished the job (read in the same
     * write), empty when it was already finished or does not exist.
     */
    public Optional<JobRecord> finishAndRead(String jobId, JobOutcome outcome) {
        Map<String, String> names =
                new HashMap<>(Map.of("#status", STATUS, "#finishedAt", FINISHED_AT, "#refunded", REFUNDED_IMAGES));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":status", s(outcome.status().wire()),
                ":now", time(now()),
                ":refunded", n(outcome.refundedImages()),
                ":queued", s(JobStatus.QUEUED.wire()),
                ":running", s(JobStatus.RUNNING.wire())));
        StringBuilder expression =
                new StringBuilder("SET #status = :status, #finishedAt = :now, #refunded = :refunded");
        if (!outcome.images().isEmpty()) {
            names.put("#images", IMAGE_IDS);
            values.put(
                    ":images",
                    Items.list(
                            outcome.images().stream().map(StoredImage::imageId).toList()));
            names.put("#stored", STORED_IMAGES);
            values.put(
                    ":stored",
                    AttributeValue.fromL(outcome.images().stream()
                            .map(JobItemAttributes::storedToAttribute)
                            .toList()));
            expression.append(", #images = :images, #stored = :stored");
        }
        if (outcome.errorCode() != null) {
            names.put("#errorCode", ERROR_CODE);
            values.put(":errorCode", s(outcome.errorCode()));
            expression.append(", #errorCode = :errorCode");
        }
        if (outcome.errorMessage() != null) {
            names.put("#errorMessage", ERROR_MESSAGE);
            values.put(":errorMessage", s(outcome.errorMessage()));
            expression.append(", #errorMessage = :errorMessage");
        }
        try {
            return Optional.of(fromItem(dynamo.updateItem(b -> b.tableName(table)
                            .key(Keys.key(Keys.job(jobId), Keys.JOB))
                            .updateExpression(expression.toString())
                            .conditionExpression("#status IN (:queued, :running)")
                            .expressionAttributeNames(names)
                            .expressionAttributeValues(values)
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes()));
        } catch (ConditionalCheckFailedException alreadyFinished) {
            return Optional.empty();
        }
    }

    private Map<String, AttributeValue> get(String pk, String sk) {
        Map<String, AttributeValue> item = dynamo.getItem(
                        b -> b.tableName(table).key(Keys.key(pk, sk)).consistentRead(true))
                .item();
        return item == null || item.isEmpty() ? null : item;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    static JobRecord fromItem(Map<String, AttributeValue> item) {
        AttributeValue fal = item.get(FAL);
        return new JobRecord(
                Items.string(item, JOB_ID),
                Items.string(item, USER_ID),
                JobStatus.fromWire(Items.string(item, STATUS)),
                Items.string(item, REQUEST),
                Items.string(item, PROMPT),
                (int) Items.number(item, NUM_IMAGES, 0),
                Items.string(item, VISIBILITY),
                Items.string(item, QUOTA_PERIOD),
                fal == null || !fal.hasM() ? null : JobItemAttributes.falFromAttribute(fal.m()),
                Items.strings(item, IMAGE_IDS),
                Items.string(item, ERROR_CODE),
                Items.string(item, ERROR_MESSAGE),
                Items.time(item, CREATED_AT),
                Items.time(item, STARTED_AT),
                Items.time(item, FINISHED_AT),
                item.containsKey(REFUNDED_IMAGES) ? (int) Items.number(item, REFUNDED_IMAGES, 0) : null,
                item.containsKey(STORED_IMAGES) && item.get(STORED_IMAGES).hasL()
                        ? item.get(STORED_IMAGES).l().stream()
                                .map(value -> JobItemAttributes.storedFromAttribute(value.m()))
                                .toList()
                        : List.of());
    }

    /**
     * Forgets one deleted image in its job's record ({@code storedImages}), so the job stops showing it; the
     * charge stays as it was (deleting an image is not refunded). One UpdateItem removing the list element,
     * conditional on it still being that image; idempotent (an image already forgotten changes nothing).
     */
    public void forgetStoredImage(String jobId, String imageId) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<JobRecord> job = find(jobId);
            int index = job.map(found -> found.storedImages().stream()
                            .map(StoredImage::imageId)
                            .toList()
                            .indexOf(imageId))
                    .orElse(-1);
            if (index < 0) {
                return;
            }
            try {
                dynamo.updateItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.job(jobId), Keys.JOB))
                        .updateExpression("REMOVE #stored[" + index + "]")
                        .conditionExpression("#stored[" + index + "].#id = :id")
                        .expressionAttributeNames(Map.of("#stored", STORED_IMAGES, "#id", "imageId"))
                        .expressionAttributeValues(Map.of(":id", s(imageId))));
                return;
            } catch (ConditionalCheckFailedException movedMeanwhile) {
                // another image of the job was forgotten first: the list shifted, look again
            }
        }
        throw new IllegalStateException("job " + jobId + " kept changing; image " + imageId + " not forgotten");
    }
}
