package com.figureforge.activities.data;

import static com.figureforge.activities.data.Items.s;
import static com.figureforge.activities.data.Items.time;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Erases a user from the table for account deletion, and keeps the tombstone that outlives them: item
 * {@code USER#{id}} / {@code TOMBSTONE} with only the request and deletion times (no personal data).
 * Everything else of the user is found with two queries: the {@code USER#{id}} partition (profile,
 * quota, in-flight set, idempotency keys) and {@code gsi2} (jobs and images, whose gallery entries go
 * with them). Deletes run in batches of 25, unprocessed items retried.
 */
public class AccountEraser {

    static final String TOMBSTONE = "TOMBSTONE";
    private static final String REQUESTED_AT = "requestedAt";
    private static final String DELETED_AT = "deletedAt";
    private static final int BATCH = 25;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public AccountEraser(DynamoDbClient dynamo, String tableName, Clock clock) {
        this.dynamo = Objects.requireNonNull(dynamo);
        this.table = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Writes the tombstone unless there is one; the first request time is kept. */
    public void writeTombstone(String userId, Instant requestedAt) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.key(Keys.user(userId), TOMBSTONE));
        item.put(FigureForgeTable.TYPE, s("tombstone"));
        item.put(REQUESTED_AT, time(requestedAt));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
        } catch (ConditionalCheckFailedException exists) {
            // written by an earlier attempt or an earlier request
        }
    }

    /** Records when the deletion finished (the first time only) and returns that time. */
    public Instant completeTombstone(String userId) {
        Instant now = clock.instant();
        var updated = dynamo.updateItem(b -> b.tableName(table)
                .key(Keys.key(Keys.user(userId), TOMBSTONE))
                .updateExpression("SET #d = if_not_exists(#d, :now), #t = :type")
                .expressionAttributeNames(Map.of("#d", DELETED_AT, "#t", FigureForgeTable.TYPE))
                .expressionAttributeValues(Map.of(":now", time(now), ":type", s("tombstone")))
                .returnValues("ALL_NEW"));
        return Items.time(updated.attributes(), DELETED_AT);
    }

    /** Whether the user was deleted (or is being deleted): a tombstone exists. */
    public boolean isTombstoned(String userId) {
        return tombstone(userId).isPresent();
    }

    /** The tombstone's deletion time, or the request time while the deletion still runs. */
    public Optional<Instant> tombstone(String userId) {
        var item = dynamo.getItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.user(userId), TOMBSTONE))
                        .consistentRead(true))
                .item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        Instant deletedAt = Items.time(item, DELETED_AT);
        return Optional.of(deletedAt != null ? deletedAt : Items.time(item, REQUESTED_AT));
    }

    /**
     * Deletes every item of the user but the tombstone, page by page.
     *
     * @param progress called with the running count after every batch (for heartbeats)
     * @return items deleted by this call
     */
    public long deleteAllItems(String userId, LongConsumer progress) {
        long deleted = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(b -> b.tableName(table)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", FigureForgeTable.PK))
                    .expressionAttributeValues(Map.of(":pk", s(Keys.user(userId))))
                    .consistentRead(true)
                    .exclusiveStartKey(from));
            List<Map<String, AttributeValue>> keys = new ArrayList<>();
            for (var item : page.items()) {
                if (!TOMBSTONE.equals(item.get(FigureForgeTable.SK).s())) {
                    keys.add(Keys.key(
                            item.get(FigureForgeTable.PK).s(),
                            item.get(FigureForgeTable.SK).s()));
                }
            }
            deleted += delete(keys, deleted, progress);
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(b -> b.tableName(table)
                    .indexName(FigureForgeTable.GSI2)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", FigureForgeTable.GSI2_PK))
                    .expressionAttributeValues(Map.of(":pk", s(Keys.user(userId))))
                    .exclusiveStartKey(from));
            List<Map<String, AttributeValue>> keys = page.items().stream()
                    .map(item -> Keys.key(
                            item.get(FigureForgeTable.PK).s(),
                            item.get(FigureForgeTable.SK).s()))
                    .toList();
            deleted += delete(keys, deleted, progress);
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return deleted;
    }

    private long delete(List<Map<String, AttributeValue>> keys, long before, LongConsumer progress) {
        long done = 0;
        for (int from = 0; from < keys.size(); from += BATCH) {
            List<WriteRequest> batch = keys.subList(from, Math.min(from + BATCH, keys.size())).stream()
                    .map(key -> WriteRequest.builder()
                            .deleteRequest(DeleteRequest.builder().key(key).build())
                            .build())
                    .toList();
            Map<String, List<WriteRequest>> pending = Map.of(table, batch);
            int attempt = 0;
            while (!pending.isEmpty() && !pending.getOrDefault(table, List.of()).isEmpty()) {
                Map<String, List<WriteRequest>> request = pending;
                BatchWriteItemResponse response = dynamo.batchWriteItem(b -> b.requestItems(request));
                pending = response.unprocessedItems();
                if (!pending.isEmpty()) {
                    pause(++attempt);
                }
            }
            done += batch.size();
            progress.accept(before + done);
        }
        return done;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(Math.min(1000L, 50L << Math.min(attempt, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
