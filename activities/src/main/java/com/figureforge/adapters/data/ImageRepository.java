package com.figureforge.adapters.data;

import static com.figureforge.adapters.data.Items.n;
import static com.figureforge.adapters.data.Items.putString;
import static com.figureforge.adapters.data.Items.s;
import static com.figureforge.adapters.data.Items.time;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Images: item {@code IMG#{imageId}} / {@code IMG}. Listed newest first under the owner in {@code gsi2}
 * ({@code USER#{userId}} / {@code IMG#{millis}#{imageId}}) and, only while public, in the gallery in
 * {@code gsi1}, spread over {@code N} partitions {@code GALLERY#{crc32(imageId) mod N}} so that no
 * single partition takes every gallery write and read.
 *
 * <p>The shard count may grow (a reader queries every shard below the current count, which includes all
 * older ones) but must never shrink.
 */
public class ImageRepository {

    public static final int DEFAULT_GALLERY_SHARDS = 8;
    public static final int MAX_PAGE_SIZE = 100;

    static final String TYPE_IMAGE = "image";

    private static final String IMAGE_ID = "imageId";
    private static final String JOB_ID = "jobId";
    static final String USER_ID = "userId";
    private static final String KEY = "key";
    private static final String THUMBNAIL_KEY = "thumbnailKey";
    private static final String WIDTH = "width";
    private static final String HEIGHT = "height";
    private static final String CONTENT_TYPE = "contentType";
    private static final String SEED = "seed";
    private static final String PROMPT = "prompt";
    static final String VISIBILITY = "visibility";
    private static final String CREATED_AT = "createdAt";
    static final String PUBLIC_KEY = "publicKey";
    static final String PUBLIC_THUMBNAIL_KEY = "publicThumbnailKey";
    static final String MODERATION = "moderation";
    static final String REPORT_COUNT = "reportCount";

    /** DynamoDB orders string keys by their UTF-8 bytes; merging shard pages must do the same. */
    private static final Comparator<String> KEY_ORDER =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final int galleryShards;

    public ImageRepository(DynamoDbClient dynamo, String tableName, Clock clock) {
        this(dynamo, tableName, clock, DEFAULT_GALLERY_SHARDS);
    }

    public ImageRepository(DynamoDbClient dynamo, String tableName, Clock clock, int galleryShards) {
        if (galleryShards < 1) {
            throw new IllegalArgumentException("galleryShards must be at least 1");
        }
        this.dynamo = Objects.requireNonNull(dynamo);
        this.table = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
        this.galleryShards = galleryShards;
    }

    /**
     * Stores images; idempotent: each put is conditional on the image id being new, so a retry (even
     * one with other timestamps) keeps the first stored item. A {@code null} createdAt is set to now.
     */
    public void putAll(List<ImageRecord> images) {
        for (ImageRecord image : images) {
            Map<String, AttributeValue> item = toItem(image);
            try {
                dynamo.putItem(b -> b.tableName(table)
                        .item(item)
                        .conditionExpression("attribute_not_exists(#pk)")
                        .expressionAttributeNames(Map.of("#pk", FigureForgeTable.PK)));
            } catch (ConditionalCheckFailedException storedBefore) {
                // the same image id again: one item, the first one
            }
        }
    }

    /**
     * Deletes images by id (with them their gallery entries); ids that do not exist are fine. Used to take
     * back images recorded for an account that is being deleted.
     */
    public void deleteAll(Collection<String> imageIds) {
        for (String imageId : imageIds) {
            dynamo.deleteItem(b -> b.tableName(table).key(Keys.key(Keys.image(imageId), Keys.IMG)));
        }
    }

    /**
     * Deletes one image item, which carries its owner listing, its gallery or moderation queue entry and its
     * reports; an image already gone is fine. Returns the deleted image, if there was one.
     */
    public Optional<ImageRecord> delete(String imageId) {
        Map<String, AttributeValue> old = dynamo.deleteItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.image(imageId), Keys.IMG))
                        .returnValues(ReturnValue.ALL_OLD))
                .attributes();
        return old == null || old.isEmpty() ? Optional.empty() : Optional.of(fromItem(old));
    }

    int galleryShards() {
        return galleryShards;
    }

    /** The image by id (strongly consistent read); the caller checks owner or visibility. */
    public Optional<ImageRecord> find(String imageId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.image(imageId), Keys.IMG))
                        .consistentRead(true))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    /**
     * A user's images, newest first: one Query on {@code gsi2} resuming after the cursor's position
     * (ExclusiveStartKey), reading {@code limit + 1} items to know whether another page exists.
     *
     * @throws InvalidCursorException if the cursor was not issued by a listing
     */
    public Page<ImageRecord> pageByUser(String userId, int limit, String cursor) {
        checkLimit(limit);
        String after = Cursors.decode(cursor);
        String ownerKey = Keys.user(userId);
        Map<String, AttributeValue> startKey = after == null ? null : ownerStartKey(ownerKey, after);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        do {
            QueryResponse response = dynamo.query(QueryRequest.builder()
                    .tableName(table)
                    .indexName(FigureForgeTable.GSI2)
                    .keyConditionExpression("#pk = :pk AND begins_with(#sk, :img)")
                    .expressionAttributeNames(Map.of("#pk", FigureForgeTable.GSI2_PK, "#sk", FigureForgeTable.GSI2_SK))
                    .expressionAttributeValues(Map.of(":pk", s(ownerKey), ":img", s(Keys.IMG_PREFIX)))
                    .scanIndexForward(false)
                    .limit(limit + 1 - items.size())
                    .exclusiveStartKey(startKey)
                    .build());
            items.addAll(response.items());
            startKey = response.hasLastEvaluatedKey()
                            && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey()
                    : null;
        } while (startKey != null && items.size() <= limit);
        return toPage(items, limit, FigureForgeTable.GSI2_SK);
    }

    /**
     * Public images of all users, newest first. Every gallery shard is queried (in parallel) for its
     * {@code limit + 1} newest items older than the cursor ({@code gsi1sk < cursor}); the merged, sorted
     * union's first {@code limit} items are the page, since the newest {@code limit} of the union must
     * each be among the newest {@code limit} of their own shard. Cost per page: shards x (limit + 1)
     * items, however deep the page.
     *
     * @throws InvalidCursorException if the cursor was not issued by a listing
     */
    public Page<ImageRecord> pageGallery(int limit, String cursor) {
        checkLimit(limit);
        String before = Cursors.decode(cursor);
        List<Map<String, AttributeValue>> merged = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<Map<String, AttributeValue>>>> futures = new ArrayList<>();
            for (int shard = 0; shard < galleryShards; shard++) {
                int s = shard;
                futures.add(executor.submit(() -> queryGalleryShard(s, before, limit + 1)));
            }
            for (Future<List<Map<String, AttributeValue>>> future : futures) {
                merged.addAll(join(future));
            }
        }
        merged.sort(Comparator.comparing(
                (Map<String, AttributeValue> item) -> Items.string(item, FigureForgeTable.GSI1_SK),
                KEY_ORDER.reversed()));
        return toPage(merged, limit, FigureForgeTable.GSI1_SK);
    }

    /** The gallery shard of an image: CRC-32 of its id modulo the shard count. */
    static int galleryShard(String imageId, int shards) {
        CRC32 crc = new CRC32();
        crc.update(imageId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % shards);
    }

    private List<Map<String, AttributeValue>> queryGalleryShard(int shard, String before, int want) {
        return queryNewestFirst(Keys.gallery(shard), before, want);
    }

    /**
     * Up to {@code want} items of one {@code gsi1} partition (a gallery shard, the review queue), newest first,
     * older than {@code before} when it is given.
     */
    List<Map<String, AttributeValue>> queryNewestFirst(String partition, String before, int want) {
        Map<String, String> names = new HashMap<>(Map.of("#pk", FigureForgeTable.GSI1_PK));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":pk", s(partition)));
        String condition = "#pk = :pk";
        if (before != null) {
            names.put("#sk", FigureForgeTable.GSI1_SK);
            values.put(":before", s(before));
            condition += " AND #sk < :before";
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        do {
            QueryResponse response = dynamo.query(QueryRequest.builder()
                    .tableName(table)
                    .indexName(FigureForgeTable.GSI1)
                    .keyConditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .scanIndexForward(false)
                    .limit(want - items.size())
                    .exclusiveStartKey(startKey)
                    .build());
            items.addAll(response.items());
            startKey = response.hasLastEvaluatedKey()
                            && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey()
                    : null;
        } while (startKey != null && items.size() < want);
        return items;
    }

    static Page<ImageRecord> toPage(List<Map<String, AttributeValue>> items, int limit, String sortKey) {
        boolean more = items.size() > limit;
        List<Map<String, AttributeValue>> page = more ? items.subList(0, limit) : items;
        String next = more ? Cursors.encode(Items.string(page.getLast(), sortKey)) : null;
        return new Page<>(page.stream().map(ImageRepository::fromItem).toList(), next);
    }

    private static Map<String, AttributeValue> ownerStartKey(String ownerKey, String imageSortKey) {
        Map<String, AttributeValue> key = new HashMap<>(Keys.key(Keys.image(Keys.imageIdOf(imageSortKey)), Keys.IMG));
        key.put(FigureForgeTable.GSI2_PK, s(ownerKey));
        key.put(FigureForgeTable.GSI2_SK, s(imageSortKey));
        return key;
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE_SIZE);
        }
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the gallery", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The item {@link #putAll} stores for an image (public for the benchmark, which seeds in batches). */
    public Map<String, AttributeValue> toItem(ImageRecord image) {
        Instant createdAt =
                (image.createdAt() == null ? clock.instant() : image.createdAt()).truncatedTo(ChronoUnit.MILLIS);
        String sortKey = Keys.imageSortKey(createdAt, image.imageId());
        Map<String, AttributeValue> item = new HashMap<>(Keys.key(Keys.image(image.imageId()), Keys.IMG));
        item.put(FigureForgeTable.TYPE, s(TYPE_IMAGE));
        item.put(FigureForgeTable.GSI2_PK, s(Keys.user(image.userId())));
        item.put(FigureForgeTable.GSI2_SK, s(sortKey));
        if (image.listedInGallery()) {
            // sparse gallery index: only public images carry gsi1 keys
            item.put(FigureForgeTable.GSI1_PK, s(Keys.gallery(galleryShard(image.imageId(), galleryShards))));
            item.put(FigureForgeTable.GSI1_SK, s(sortKey));
        }
        putString(item, PUBLIC_KEY, image.publicKey());
        putString(item, PUBLIC_THUMBNAIL_KEY, image.publicThumbnailKey());
        item.put(IMAGE_ID, s(image.imageId()));
        putString(item, JOB_ID, image.jobId());
        item.put(USER_ID, s(image.userId()));
        putString(item, KEY, image.key());
        putString(item, THUMBNAIL_KEY, image.thumbnailKey());
        item.put(WIDTH, n(image.width()));
        item.put(HEIGHT, n(image.height()));
        putString(item, CONTENT_TYPE, image.contentType());
        item.put(SEED, n(image.seed()));
        putString(item, PROMPT, image.prompt());
        item.put(VISIBILITY, s(image.visibility()));
        item.put(CREATED_AT, time(createdAt));
        return item;
    }

    static ImageRecord fromItem(Map<String, AttributeValue> item) {
        return new ImageRecord(
                Items.string(item, IMAGE_ID),
                Items.string(item, JOB_ID),
                Items.string(item, USER_ID),
                Items.string(item, KEY),
                Items.string(item, THUMBNAIL_KEY),
                (int) Items.number(item, WIDTH, 0),
                (int) Items.number(item, HEIGHT, 0),
                Items.string(item, CONTENT_TYPE),
                Items.number(item, SEED, 0),
                Items.string(item, PROMPT),
                Items.string(item, VISIBILITY, Visibility.PRIVATE),
                Items.time(item, CREATED_AT),
                Items.string(item, PUBLIC_KEY),
                Items.string(item, PUBLIC_THUMBNAIL_KEY),
                Items.string(item, MODERATION),
                (int) Items.number(item, REPORT_COUNT, 0));
    }
}
