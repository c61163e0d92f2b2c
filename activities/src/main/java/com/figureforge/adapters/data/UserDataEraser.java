package com.figureforge.adapters.data;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Deletes every DynamoDB item of one user except the tombstone (account deletion). "Everything of a user"
 * is, by the data model's rule, what lives in the user's partition {@code USER#{id}} (profile, quota
 * counters, in-flight set, idempotency keys, and whatever is added there later) plus what is listed under
 * the user in {@code gsi2} ({@code gsi2pk = USER#{id}}: jobs and images; an image's gallery entry is a pair
 * of {@code gsi1} keys on the image item and goes with it). An item of a user kept anywhere else must be
 * added here.
 *
 * <p>Both listings are paginated Queries (never a Scan); each page is deleted with {@code BatchWriteItem}
 * in chunks of 25, retrying {@code UnprocessedItems} with backoff, before the next page is read. Deleting
 * is idempotent (an item already gone is fine), and a repeated run simply finds less: that is how an
 * interrupted run resumes. Images go first, so public images leave the gallery as early as possible.
 */
public class UserDataEraser {

    private static final Logger log = LoggerFactory.getLogger(UserDataEraser.class);

    static final int PAGE_SIZE = 100;
    static final int BATCH_SIZE = 25;
    private static final int MAX_ROUNDS = 10;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final DynamoDbClient dynamo;
    private final String table;

    public UserDataEraser(DynamoDbClient dynamo, String tableName) {
        this.dynamo = Objects.requireNonNull(dynamo);
        this.table = Objects.requireNonNull(tableName);
    }

    /** Deletes every item of the user but the tombstone; returns how many it deleted. */
    public long erase(String userId) {
        return erase(userId, deleted -> {});
    }

    /**
     * Deletes every item of the user but the tombstone, a page at a time, and calls {@code progress} with
     * the running count after each page (a place to heartbeat).
     *
     * @return the items deleted by this call (items deleted meanwhile by someone else may be counted too)
     */
    public long erase(String userId, LongConsumer progress) {
        String owner = Keys.user(userId);
        long[] deleted = {0};
        LongConsumer counting = n -> {
            deleted[0] += n;
            progress.accept(deleted[0]);
        };
        // Jobs and images (and with the images their gallery keys), listed under the owner in gsi2.
        deletePages(
                QueryRequest.builder()
                        .tableName(table)
                        .indexName(FigureForgeTable.GSI2)
                        .keyConditionExpression("#owner = :owner")
                        .projectionExpression("#pk, #sk")
                        .expressionAttributeNames(Map.of(
                                "#owner",
                                FigureForgeTable.GSI2_PK,
                                "#pk",
                                FigureForgeTable.PK,
                                "#sk",
                                FigureForgeTable.SK))
                        .expressionAttributeValues(Map.of(":owner", Items.s(owner)))
                        .limit(PAGE_SIZE)
                        .build(),
                item -> true,
                counting);
        // The user's own partition: profile, quota, in-flight set, idempotency keys; the tombstone stays.
        deletePages(
                QueryRequest.builder()
                        .tableName(table)
                        .keyConditionExpression("#pk = :owner")
                        .projectionExpression("#pk, #sk")
                        .expressionAttributeNames(Map.of("#pk", FigureForgeTable.PK, "#sk", FigureForgeTable.SK))
                        .expressionAttributeValues(Map.of(":owner", Items.s(owner)))
                        .consistentRead(true)
                        .limit(PAGE_SIZE)
                        .build(),
                item -> !Keys.TOMBSTONE.equals(Items.string(item, FigureForgeTable.SK)),
                counting);
        log.info("deleted {} DynamoDB items of user {}", deleted[0], userId);
        return deleted[0];
    }

    private void deletePages(QueryRequest query, Predicate<Map<String, AttributeValue>> delete, LongConsumer deleted) {
        Map<String, AttributeValue> startKey = null;
        do {
            QueryResponse page =
                    dynamo.query(query.toBuilder().exclusiveStartKey(startKey).build());
            List<Map<String, AttributeValue>> keys = new ArrayList<>();
            for (Map<String, AttributeValue> item : page.items()) {
                if (delete.test(item)) {
                    keys.add(
                            Keys.key(Items.string(item, FigureForgeTable.PK), Items.string(item, FigureForgeTable.SK)));
                }
            }
            for (int from = 0; from < keys.size(); from += BATCH_SIZE) {
                deleteBatch(keys.subList(from, Math.min(from + BATCH_SIZE, keys.size())));
            }
            deleted.accept(keys.size());
            // The position stays valid although the items before it are gone now.
            startKey =
                    page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (startKey != null);
    }

    /** One BatchWriteItem of up to 25 deletes, resending what DynamoDB left unprocessed (throttling). */
    private void deleteBatch(List<Map<String, AttributeValue>> keys) {
        List<WriteRequest> requests = keys.stream()
                .map(key -> WriteRequest.builder()
                        .deleteRequest(DeleteRequest.builder().key(key).build())
                        .build())
                .toList();
        Map<String, List<WriteRequest>> pending = Map.of(table, requests);
        Duration backoff = FIRST_BACKOFF;
        for (int round = 1; ; round++) {
            Map<String, List<WriteRequest>> batch = pending;
            BatchWriteItemResponse response = dynamo.batchWriteItem(b -> b.requestItems(batch));
            List<WriteRequest> unprocessed = response.hasUnprocessedItems()
                    ? response.unprocessedItems().getOrDefault(table, List.of())
                    : List.of();
            if (unprocessed.isEmpty()) {
                return;
            }
            if (round >= MAX_ROUNDS) {
                // The activity fails and is retried later; what was deleted stays deleted.
                throw new IllegalStateException(
                        "DynamoDB left " + unprocessed.size() + " deletes unprocessed after " + round + " rounds");
            }
            pending = Map.of(table, unprocessed);
            pause(backoff);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while deleting", e);
        }
    }
}
