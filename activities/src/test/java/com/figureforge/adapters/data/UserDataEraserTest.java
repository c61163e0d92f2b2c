package com.figureforge.adapters.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** The eraser against dynalite: everything of the user goes, the tombstone and other users stay. */
class UserDataEraserTest {

    private static final DynamoDbClient dynamo = TestDynamo.client();
    private static String table;
    private static UserFixture fixture;

    @BeforeAll
    static void createTable() {
        table = TestDynamo.freshTable("eraser");
        fixture = new UserFixture(dynamo, table);
    }

    @Test
    void erasesEveryItemOfTheUserOverManyPagesAndNothingOfAnotherUser() {
        String user = id();
        String other = id();
        // 40 jobs x 3 images = 160 items in gsi2: two pages, each in several batches
        int written = fixture.populate(user, 40, 3);
        fixture.populate(other, 3, 2);
        new UserRepository(dynamo, table, Clock.systemUTC()).writeTombstone(user, Instant.now());
        var otherBefore = fixture.remains(other);
        List<Long> progress = new ArrayList<>();

        long deleted = new UserDataEraser(dynamo, table).erase(user, progress::add);

        assertThat(deleted).isEqualTo(written);
        var left = fixture.remains(user);
        assertThat(left.onlyTombstone()).as(left.toString()).isTrue();
        assertThat(progress)
                .as("a report per page")
                .hasSizeGreaterThanOrEqualTo(3)
                .isSorted()
                .endsWith(deleted);
        assertThat(fixture.remains(other)).isEqualTo(otherBefore);
        assertThat(otherBefore.gallery()).isNotEmpty();
    }

    @Test
    void runningAgainFindsNothing() {
        String user = id();
        fixture.populate(user, 2, 1);
        UserDataEraser eraser = new UserDataEraser(dynamo, table);
        eraser.erase(user);

        assertThat(eraser.erase(user)).isZero();
        assertThat(fixture.remains(user).total()).isZero();
    }

    @Test
    void aRunThatDiedMidwayIsFinishedByTheNextOne() {
        String user = id();
        int written = fixture.populate(user, 40, 3);
        UserDataEraser eraser = new UserDataEraser(dynamo, table);
        long[] before = {0};

        assertThatThrownBy(() -> eraser.erase(user, deleted -> {
                    before[0] = deleted;
                    throw new IllegalStateException("worker died");
                }))
                .hasMessage("worker died");
        assertThat(fixture.remains(user).total())
                .as("part is gone, part is left")
                .isPositive();

        long rest = eraser.erase(user);

        assertThat(before[0] + rest).isEqualTo(written);
        assertThat(fixture.remains(user).total()).isZero();
    }

    @Test
    void deletesLeftUnprocessedAreSentAgain() {
        String user = id();
        int written = fixture.populate(user, 10, 2);
        AtomicInteger batches = new AtomicInteger();
        DynamoDbClient throttled = new ThrottlingClient(dynamo, batches);

        long deleted = new UserDataEraser(throttled, table).erase(user);

        assertThat(deleted).isEqualTo(written);
        assertThat(fixture.remains(user).total()).isZero();
        assertThat(batches.get()).as("every batch needed a second round").isGreaterThan(2 * (written / 25));
    }

    private static String id() {
        return "u-" + UUID.randomUUID();
    }

    /** Processes only the first half of every BatchWriteItem and hands the rest back as unprocessed. */
    private static final class ThrottlingClient implements DynamoDbClient {
        private final DynamoDbClient delegate;
        private final AtomicInteger batches;

        ThrottlingClient(DynamoDbClient delegate, AtomicInteger batches) {
            this.delegate = delegate;
            this.batches = batches;
        }

        @Override
        public QueryResponse query(QueryRequest request) {
            return delegate.query(request);
        }

        @Override
        public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
            batches.incrementAndGet();
            Map.Entry<String, List<WriteRequest>> entry =
                    request.requestItems().entrySet().iterator().next();
            List<WriteRequest> all = entry.getValue();
            if (all.size() < 2) {
                return delegate.batchWriteItem(request);
            }
            int half = all.size() / 2;
            delegate.batchWriteItem(b -> b.requestItems(Map.of(entry.getKey(), all.subList(0, half))));
            return BatchWriteItemResponse.builder()
                    .unprocessedItems(Map.of(entry.getKey(), all.subList(half, all.size())))
                    .build();
        }

        @Override
        public String serviceName() {
            return delegate.serviceName();
        }

        @Override
        public void close() {}
    }
}
