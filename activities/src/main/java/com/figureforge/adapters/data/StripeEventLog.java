package com.figureforge.adapters.data;

import static com.figureforge.adapters.data.Items.n;
import static com.figureforge.adapters.data.Items.s;
import static com.figureforge.adapters.data.Items.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Processed Stripe event ids: item {@code STRIPE_EVENT#{id}} / {@code EVENT} with a {@code ttl}
 * (epoch seconds) after which DynamoDB deletes it where TTL is enabled. An entry whose ttl has passed
 * counts as absent even if it was not deleted yet (or never will be, as on dynalite).
 */
public class StripeEventLog {

    /** Stripe retries a webhook for up to three days; keep ids well beyond that. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    static final String TYPE_STRIPE_EVENT = "stripe_event";

    private static final String EVENT_ID = "eventId";
    private static final String PROCESSED_AT = "processedAt";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final Duration retention;

    public StripeEventLog(DynamoDbClient dynamo, String tableName, Clock clock) {
        this(dynamo, tableName, clock, DEFAULT_RETENTION);
    }

    public StripeEventLog(DynamoDbClient dynamo, String tableName, Clock clock, Duration retention) {
        this.dynamo = Objects.requireNonNull(dynamo);
        this.table = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive");
        }
        this.retention = retention;
    }

    /**
     * Records an event id as processed.
     *
     * @return true the first time (within the retention), false for a duplicate
     */
    public boolean markProcessed(String eventId) {
        Instant now = clock.instant();
        Map<String, AttributeValue> item = new HashMap<>(Keys.key(Keys.stripeEvent(eventId), Keys.EVENT));
        item.put(FigureForgeTable.TYPE, s(TYPE_STRIPE_EVENT));
        item.put(EVENT_ID, s(eventId));
        item.put(PROCESSED_AT, time(now));
        item.put(FigureForgeTable.TTL, n(now.plus(retention).getEpochSecond()));
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#pk) OR #ttl < :now")
                    .expressionAttributeNames(Map.of("#pk", FigureForgeTable.PK, "#ttl", FigureForgeTable.TTL))
                    .expressionAttributeValues(Map.of(":now", n(now.getEpochSecond()))));
            return true;
        } catch (ConditionalCheckFailedException duplicate) {
            return false;
        }
    }

    /** Whether the event id was recorded within the retention (a consistent read). */
    public boolean isProcessed(String eventId) {
        var item = dynamo.getItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.stripeEvent(eventId), Keys.EVENT))
                        .consistentRead(true))
                .item();
        if (item == null || item.isEmpty()) {
            return false;
        }
        AttributeValue ttl = item.get(FigureForgeTable.TTL);
        return ttl == null || Long.parseLong(ttl.n()) >= clock.instant().getEpochSecond();
    }
}
