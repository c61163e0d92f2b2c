package com.figureforge.adapters.data;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * A user with one of every kind of item (profile linked to a Stripe customer, quota and in-flight items,
 * idempotency keys, jobs, public and private images), written through the repositories as the app does,
 * and a look at everything of a user that is left in the table. For the account deletion tests.
 */
public final class UserFixture {

    public static final String PERIOD = "2026-11";

    private final DynamoDbClient dynamo;
    private final String table;
    private final int galleryShards;

    public UserFixture(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
        this.galleryShards = ImageRepository.DEFAULT_GALLERY_SHARDS;
    }

    /**
     * Writes a user with {@code jobs} jobs of {@code imagesPerJob} images each (every other job public),
     * one still in flight, and an idempotency key per job.
     *
     * @return the number of items written
     */
    public int populate(String userId, int jobs, int imagesPerJob) {
        Clock clock = Clock.systemUTC();
        UserRepository users = new UserRepository(dynamo, table, clock);
        JobRepository jobRepository = new JobRepository(dynamo, table, clock);
        IdempotencyKeys idempotencyKeys = new IdempotencyKeys(dynamo, table, clock);
        ImageRepository images = new ImageRepository(dynamo, table, clock, galleryShards);
        QuotaLedger quota = new QuotaLedger(dynamo, table, clock);
        users.getOrCreate(userId, "name-" + userId, userId + "@example.com");
        users.updatePlan(userId, new PlanUpdate("pro", "active", "cus_" + userId, null, null));
        int items = 1;
        Instant t0 = Instant.parse("2026-11-14T10:00:00Z");
        for (int j = 0; j < jobs; j++) {
            String jobId = userId + "-job-" + j;
            String visibility = j % 2 == 0 ? Visibility.PUBLIC : Visibility.PRIVATE;
            jobRepository.create(JobRecord.queued(
                    jobId, userId, "{}", "prompt " + j, imagesPerJob, visibility, PERIOD, t0.plusSeconds(j)));
            quota.reserve(userId, jobId, imagesPerJob, PERIOD, 1_000_000, 1_000_000);
            idempotencyKeys.claim(userId, "key-" + j, "fingerprint-" + j, jobId);
            idempotencyKeys.bind(userId, "key-" + j, jobId);
            List<ImageRecord> records = new ArrayList<>();
            for (int i = 0; i < imagesPerJob; i++) {
                records.add(new ImageRecord(
                        jobId + "-" + i,
                        jobId,
                        userId,
                        "images/" + userId + "/" + jobId + "/" + i + ".png",
                        "images/" + userId + "/" + jobId + "/" + i + "-thumb.png",
                        768,
                        1024,
                        "image/png",
                        42L,
                        "prompt " + j,
                        visibility,
                        t0.plusSeconds(j)));
            }
            images.putAll(records);
            if (j > 0) {
                quota.releaseInFlight(userId, jobId); // only job 0 is still in flight
            }
            items += 2 + imagesPerJob; // job, idempotency key, images
        }
        if (jobs > 0) {
            items += 2; // quota counter, in-flight set
        }
        return items;
    }

    /** Every item key of the user left in the table, by where it was found. */
    public Remains remains(String userId) {
        String owner = "USER#" + userId;
        List<String> partition = keys(QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(owner)))
                .consistentRead(true)
                .build());
        List<String> owned = keys(QueryRequest.builder()
                .tableName(table)
                .indexName(FigureForgeTable.GSI2)
                .keyConditionExpression("gsi2pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(owner)))
                .build());
        List<String> gallery = new ArrayList<>();
        for (int shard = 0; shard < galleryShards; shard++) {
            gallery.addAll(items(QueryRequest.builder()
                            .tableName(table)
                            .indexName(FigureForgeTable.GSI1)
                            .keyConditionExpression("gsi1pk = :pk")
                            .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("GALLERY#" + shard)))
                            .build())
                    .stream()
                    .filter(item -> userId.equals(Items.string(item, "userId")))
                    .map(UserFixture::key)
                    .toList());
        }
        List<String> customer = keys(QueryRequest.builder()
                .tableName(table)
                .indexName(FigureForgeTable.GSI1)
                .keyConditionExpression("gsi1pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("STRIPE#cus_" + userId)))
                .build());
        return new Remains(partition, owned, gallery, customer);
    }

    /**
     * @param partition keys in {@code USER#{id}}
     * @param owned keys listed under the user in {@code gsi2}
     * @param gallery keys of the user's images in the gallery shards of {@code gsi1}
     * @param stripeCustomer keys found by the user's Stripe customer in {@code gsi1}
     */
    public record Remains(
            List<String> partition, List<String> owned, List<String> gallery, List<String> stripeCustomer) {

        public int total() {
            return partition.size() + owned.size() + gallery.size() + stripeCustomer.size();
        }

        /** Nothing but the tombstone. */
        public boolean onlyTombstone() {
            return partition.equals(List.of("USER#" + partitionUser() + "|TOMBSTONE"))
                    && owned.isEmpty()
                    && gallery.isEmpty()
                    && stripeCustomer.isEmpty();
        }

        private String partitionUser() {
            return partition.isEmpty()
                    ? ""
                    : partition.getFirst().substring(5, partition.getFirst().indexOf('|'));
        }

        @Override
        public String toString() {
            return "partition=" + partition + ", owned=" + owned.size() + " "
                    + owned.stream().limit(5).collect(Collectors.toList()) + ", gallery=" + gallery.size()
                    + ", stripeCustomer=" + stripeCustomer;
        }
    }

    private List<String> keys(QueryRequest query) {
        return items(query).stream().map(UserFixture::key).toList();
    }

    private List<Map<String, AttributeValue>> items(QueryRequest query) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse page =
                    dynamo.query(query.toBuilder().exclusiveStartKey(start).build());
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    private static String key(Map<String, AttributeValue> item) {
        return Items.string(item, FigureForgeTable.PK) + "|" + Items.string(item, FigureForgeTable.SK);
    }
}
