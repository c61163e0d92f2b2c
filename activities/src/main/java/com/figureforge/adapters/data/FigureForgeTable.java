package com.figureforge.adapters.data;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * The one DynamoDB table of FigureForge (single-table design) and its key patterns.
 *
 * <p>Base table: {@code pk} (S, hash) + {@code sk} (S, range). Two overloaded, sparse global secondary
 * indexes, both projecting all attributes:
 *
 * <ul>
 *   <li>{@value #GSI1} ({@code gsi1pk}, {@code gsi1sk}): look-ups by something other than the owner:
 *       user by Stripe customer ({@code STRIPE#{customer}} / {@code USER#{id}}) and the public gallery,
 *       sharded ({@code GALLERY#{0..N-1}} / {@code IMG#{millis}#{imageId}}).
 *   <li>{@value #GSI2} ({@code gsi2pk}, {@code gsi2sk}): everything a user owns that is not keyed under
 *       the user's own partition: jobs ({@code USER#{id}} / {@code JOB#{millis}#{jobId}}) and images
 *       ({@code USER#{id}} / {@code IMG#{millis}#{imageId}}).
 * </ul>
 *
 * <p>Items (pk / sk): user profile {@code USER#{id}} / {@code PROFILE}; quota counter {@code USER#{id}} /
 * {@code QUOTA#{period}}; in-flight jobs {@code USER#{id}} / {@code INFLIGHT}; idempotency key
 * {@code USER#{id}} / {@code IDEM#{sha256(key)}} (with {@code ttl}); job {@code JOB#{id}} / {@code JOB}; image
 * {@code IMG#{id}} / {@code IMG}; processed Stripe event {@code STRIPE_EVENT#{id}} / {@code EVENT}; rate-limit
 * counters {@code USER#{id}} or {@code ADDR#{address}} / {@code RATE#{window}#{seconds}#{start}} (with
 * {@code ttl}, see {@link RateLimitCounters}). See
 * {@code docs/data-model.md}.
 */
public final class FigureForgeTable {

    public static final String PK = "pk";
    public static final String SK = "sk";
    public static final String GSI1 = "gsi1";
    public static final String GSI1_PK = "gsi1pk";
    public static final String GSI1_SK = "gsi1sk";
    public static final String GSI2 = "gsi2";
    public static final String GSI2_PK = "gsi2pk";
    public static final String GSI2_SK = "gsi2sk";
    /** Epoch seconds after which DynamoDB may delete the item (where TTL is enabled). */
    public static final String TTL = "ttl";
    /** Item type, for people reading the table and for deletion code dispatching on items. */
    public static final String TYPE = "type";

    private static final Logger log = LoggerFactory.getLogger(FigureForgeTable.class);
    private static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(5);
    private static final AtomicBoolean TTL_UNSUPPORTED_LOGGED = new AtomicBoolean();

    private FigureForgeTable() {}

    /**
     * Creates the table with its indexes (on-demand capacity) unless it exists, waits until table and
     * indexes are ACTIVE, and enables TTL on {@value #TTL} when it created the table and the endpoint
     * supports it. Safe to call from several instances at once.
     *
     * @return whether this call created the table
     */
    public static boolean createIfMissing(DynamoDbClient dynamo, String tableName) {
        boolean created = false;
        if (describe(dynamo, tableName) == null) {
            try {
                dynamo.createTable(createRequest(tableName));
                created = true;
                log.info("Created DynamoDB table {}", tableName);
            } catch (ResourceInUseException raced) {
                // another instance created it between our describe and create: fine
            }
        }
        awaitActive(dynamo, tableName);
        if (created) {
            enableTtl(dynamo, tableName);
        }
        return created;
    }

    static CreateTableRequest createRequest(String tableName) {
        return CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        stringAttribute(PK),
                        stringAttribute(SK),
                        stringAttribute(GSI1_PK),
                        stringAttribute(GSI1_SK),
                        stringAttribute(GSI2_PK),
                        stringAttribute(GSI2_SK))
                .keySchema(key(PK, KeyType.HASH), key(SK, KeyType.RANGE))
                .globalSecondaryIndexes(index(GSI1, GSI1_PK, GSI1_SK), index(GSI2, GSI2_PK, GSI2_SK))
                .build();
    }

    private static TableDescription describe(DynamoDbClient dynamo, String tableName) {
        try {
            return dynamo.describeTable(b -> b.tableName(tableName)).table();
        } catch (ResourceNotFoundException e) {
            return null;
        }
    }

    private static void awaitActive(DynamoDbClient dynamo, String tableName) {
        long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
        while (true) {
            TableDescription table = describe(dynamo, tableName);
            if (table != null && isActive(table)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("table " + tableName + " not ACTIVE within " + ACTIVE_TIMEOUT);
            }
            try {
                Thread.sleep(table == null ? 200 : 500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for table " + tableName, e);
            }
        }
    }

    private static boolean isActive(TableDescription table) {
        return table.tableStatus() == TableStatus.ACTIVE
                && table.globalSecondaryIndexes().stream().allMatch(i -> i.indexStatus() == IndexStatus.ACTIVE);
    }

    private static void enableTtl(DynamoDbClient dynamo, String tableName) {
        try {
            dynamo.updateTimeToLive(b -> b.tableName(tableName)
                    .timeToLiveSpecification(s -> s.attributeName(TTL).enabled(true)));
        } catch (DynamoDbException e) {
            // dynalite (local stack, tests) has no UpdateTimeToLive. Nothing depends on TTL for
            // correctness: readers treat an item whose ttl has passed as absent.
            if (TTL_UNSUPPORTED_LOGGED.compareAndSet(false, true)) {
                String code =
                        e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
                log.info(
                        "TTL not enabled on {} ({} {}): expired items stay until deleted otherwise",
                        tableName,
                        e.statusCode(),
                        code);
            }
        }
    }

    private static AttributeDefinition stringAttribute(String name) {
        return AttributeDefinition.builder()
                .attributeName(name)
                .attributeType(ScalarAttributeType.S)
                .build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    private static GlobalSecondaryIndex index(String name, String hash, String range) {
        return GlobalSecondaryIndex.builder()
                .indexName(name)
                .keySchema(List.of(key(hash, KeyType.HASH), key(range, KeyType.RANGE)))
                .projection(
                        Projection.builder().projectionType(ProjectionType.ALL).build())
                .build();
    }
}
