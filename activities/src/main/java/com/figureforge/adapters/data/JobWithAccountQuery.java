package com.figureforge.adapters.data;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * A job and its owner's account standing, read together: the job record, the user's profile and the
 * tombstone that stands for a deleted profile, in one strongly consistent BatchGetItem. The storage step
 * checks both before its first write and after its last; one call instead of two (or three when the
 * profile is gone) each time.
 */
public class JobWithAccountQuery {

    /** What one read found. */
    public record JobWithAccount(Optional<JobRecord> job, Optional<UserRecord> profile, boolean tombstone) {

        /**
         * Whether the account's deletion has started: the profile is flagged, or it is gone and a tombstone
         * is there. No profile and no tombstone is a user that was never created (tests, operators).
         */
        public boolean accountClosing() {
            return profile.map(UserRecord::deleting).orElse(tombstone);
        }
    }

    /** DynamoDB may leave keys unprocessed under throttling; they are asked again, a few times. */
    private static final int ATTEMPTS = 5;

    private static final Duration FIRST_PAUSE = Duration.ofMillis(20);

    private final DynamoDbClient dynamo;
    private final String table;

    public JobWithAccountQuery(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public JobWithAccount read(String jobId, String userId) {
        List<Map<String, AttributeValue>> keys = List.of(
                Keys.key(Keys.job(jobId), Keys.JOB),
                Keys.key(Keys.user(userId), Keys.PROFILE),
                Keys.key(Keys.user(userId), Keys.TOMBSTONE));
        Map<String, KeysAndAttributes> pending = Map.of(
                table,
                KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            BatchGetItemResponse response = dynamo.batchGetItem(
                    BatchGetItemRequest.builder().requestItems(pending).build());
            found.addAll(response.responses().getOrDefault(table, List.of()));
            if (!response.hasUnprocessedKeys() || response.unprocessedKeys().isEmpty()) {
                break;
            }
            if (attempt == ATTEMPTS) {
                throw new IllegalStateException(
                        "DynamoDB left keys of job " + jobId + " unprocessed " + ATTEMPTS + " times");
            }
            pause(FIRST_PAUSE.multipliedBy(1L << (attempt - 1)));
            pending = response.unprocessedKeys();
        }
        JobRecord job = null;
        UserRecord profile = null;
        boolean tombstone = false;
        for (Map<String, AttributeValue> item : found) {
            switch (Items.string(item, FigureForgeTable.SK)) {
                case Keys.JOB -> job = JobRepository.fromItem(item);
                case Keys.PROFILE -> profile = UserRepository.fromItem(item);
                case Keys.TOMBSTONE -> tombstone = true;
                default -> throw new IllegalStateException("an item that was not asked for: " + item.keySet());
            }
        }
        return new JobWithAccount(Optional.ofNullable(job), Optional.ofNullable(profile), tombstone);
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading a job and its account", e);
        }
    }
}
