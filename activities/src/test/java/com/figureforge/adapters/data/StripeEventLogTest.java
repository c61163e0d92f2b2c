package com.figureforge.adapters.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class StripeEventLogTest {

    private static final DynamoDbClient dynamo = TestDynamo.client();
    private static String table;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-14T10:00:00Z"));

    @BeforeAll
    static void createTable() {
        table = TestDynamo.freshTable("stripe-events");
    }

    @Test
    void anEventIsProcessedOnceAndStoredWithATtl() {
        StripeEventLog log = new StripeEventLog(dynamo, table, clock);
        String eventId = "evt_" + UUID.randomUUID();

        assertThat(log.markProcessed(eventId)).isTrue();
        assertThat(log.markProcessed(eventId)).isFalse();

        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .key(Map.of(
                                "pk", AttributeValue.fromS("STRIPE_EVENT#" + eventId),
                                "sk", AttributeValue.fromS("EVENT"))))
                .item();
        assertThat(item.get("ttl").n())
                .isEqualTo(
                        Long.toString(clock.instant().plus(Duration.ofDays(30)).getEpochSecond()));
    }

    @Test
    void concurrentDeliveriesOfOneEventAreProcessedOnce() throws Exception {
        StripeEventLog log = new StripeEventLog(dynamo, table, clock);
        String eventId = "evt_" + UUID.randomUUID();

        List<Boolean> first = Race.run(10, i -> log.markProcessed(eventId));

        assertThat(first).containsOnlyOnce(true);
    }

    @Test
    void anEntryPastItsTtlCountsAsAbsentEvenIfNotYetDeleted() {
        StripeEventLog log = new StripeEventLog(dynamo, table, clock, Duration.ofDays(1));
        String eventId = "evt_" + UUID.randomUUID();
        log.markProcessed(eventId);

        clock.advance(Duration.ofHours(23));
        assertThat(log.markProcessed(eventId)).isFalse();
        clock.advance(Duration.ofHours(2));
        assertThat(log.markProcessed(eventId)).isTrue();
    }

    @Test
    void isProcessedSeesRecordedIdsUntilTheirTtl() {
        StripeEventLog log = new StripeEventLog(dynamo, table, clock, Duration.ofDays(1));
        String eventId = "evt_" + UUID.randomUUID();

        assertThat(log.isProcessed(eventId)).isFalse();
        log.markProcessed(eventId);
        assertThat(log.isProcessed(eventId)).isTrue();
        clock.advance(Duration.ofDays(2));
        assertThat(log.isProcessed(eventId)).isFalse();
    }
}
