package com.figureforge.adapters.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class ImageRepositoryTest {

    private static final DynamoDbClient dynamo = TestDynamo.client();
    private static final Instant T0 = Instant.parse("2026-11-14T10:00:00Z");
    /** Newest first, ties on the millisecond broken by image id as DynamoDB orders them. */
    private static final Comparator<ImageRecord> NEWEST_FIRST = Comparator.comparing(ImageRecord::createdAt)
            .thenComparing(
                    ImageRecord::imageId,
                    (a, b) -> Arrays.compareUnsigned(
                            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)))
            .reversed();

    private static String table;
    private final MutableClock clock = new MutableClock(T0);

    @BeforeAll
    static void createTable() {
        table = TestDynamo.freshTable("images");
    }

    @Test
    void putAllStoresImagesAndFindReadsThemBack() {
        ImageRepository images = new ImageRepository(dynamo, table, clock);
        ImageRecord image = image("user-" + id(), 0, "public");

        images.putAll(List.of(image));

        assertThat(images.find(image.imageId())).contains(image);
        assertThat(images.find(id())).isEmpty();
    }

    @Test
    void puttingTheSameImageIdTwiceKeepsOneItemTheFirst() {
        ImageRepository images = new ImageRepository(dynamo, table, clock);
        String user = "user-" + id();
        ImageRecord first = image(user, 0, "private");
        ImageRecord retry = new ImageRecord(
                first.imageId(),
                first.jobId(),
                user,
                first.key(),
                first.thumbnailKey(),
                first.width(),
                first.height(),
                first.contentType(),
                first.seed(),
                first.prompt(),
                "private",
                T0.plusSeconds(30));

        images.putAll(List.of(first));
        images.putAll(List.of(retry, first));

        assertThat(images.find(first.imageId())).contains(first);
        assertThat(images.pageByUser(user, 10, null).items()).containsExactly(first);
    }

    @Test
    void userImagesPageNewestFirstAcrossPagesWithoutGapsOrDuplicates() {
        ImageRepository images = new ImageRepository(dynamo, table, clock);
        String user = "user-" + id();
        List<ImageRecord> mine = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            // every three images share a millisecond: the id must break the tie
            mine.add(image(user, (i / 3) * 1000L, i % 2 == 0 ? "public" : "private"));
        }
        List<ImageRecord> others = List.of(image("user-" + id(), 5_000, "public"), image("user-" + id(), 0, "private"));
        images.putAll(mine);
        images.putAll(others);

        List<Page<ImageRecord>> pages = walk(cursor -> images.pageByUser(user, 10, cursor));

        assertThat(pages).extracting(p -> p.items().size()).containsExactly(10, 10, 5);
        assertThat(pages.getLast().nextCursor()).isNull();
        assertThat(flatten(pages))
                .containsExactlyElementsOf(mine.stream().sorted(NEWEST_FIRST).toList());
    }

    @Test
    void aFullLastPageHasNoCursorAndNoEmptyPageFollows() {
        ImageRepository images = new ImageRepository(dynamo, table, clock);
        String user = "user-" + id();
        List<ImageRecord> mine = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            mine.add(image(user, i * 10L, "private"));
        }
        images.putAll(mine);

        List<Page<ImageRecord>> pages = walk(cursor -> images.pageByUser(user, 5, cursor));

        assertThat(pages).extracting(p -> p.items().size()).containsExactly(5, 5);
        assertThat(images.pageByUser("user-" + id(), 5, null)).isEqualTo(new Page<>(List.of(), null));
    }

    @Test
    void userPagingResumesAtItsPositionWhenNewerImagesArrive() {
        ImageRepository images = new ImageRepository(dynamo, table, clock);
        String user = "user-" + id();
        List<ImageRecord> mine = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            mine.add(image(user, i * 1000L, "private"));
        }
        images.putAll(mine);

        Page<ImageRecord> first = images.pageByUser(user, 3, null);
        images.putAll(List.of(image(user, 60_000, "private")));
        Page<ImageRecord> second = images.pageByUser(user, 3, first.nextCursor());

        List<ImageRecord> expected = mine.stream().sorted(NEWEST_FIRST).toList();
        assertThat(first.items()).containsExactlyElementsOf(expected.subList(0, 3));
        assertThat(second.items()).containsExactlyElementsOf(expected.subList(3, 6));
        assertThat(second.nextCursor()).isNull();
    }

    @Test
    void galleryListsOnlyPublicImagesNewestFirstAcrossShardsWithoutGapsOrDuplicates() {
        String galleryTable = TestDynamo.freshTable("gallery");
        int shards = 4;
        ImageRepository images = new ImageRepository(dynamo, galleryTable, clock, shards);
        List<String> users = List.of("user-" + id(), "user-" + id(), "user-" + id());
        List<ImageRecord> all = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            all.add(image(users.get(i % 3), (i / 2) * 1000L, i % 3 == 1 ? "private" : "public"));
        }
        images.putAll(all);
        List<ImageRecord> expected =
                all.stream().filter(ImageRecord::isPublic).sorted(NEWEST_FIRST).toList();
        Set<Integer> usedShards = expected.stream()
                .map(i -> ImageRepository.galleryShard(i.imageId(), shards))
                .collect(Collectors.toSet());
        assertThat(usedShards).hasSizeGreaterThan(1);

        List<Page<ImageRecord>> pages = walk(cursor -> images.pageGallery(7, cursor));

        assertThat(expected).hasSize(30);
        assertThat(pages).extracting(p -> p.items().size()).containsExactly(7, 7, 7, 7, 2);
        assertThat(flatten(pages)).containsExactlyElementsOf(expected);
        assertThat(new HashSet<>(flatten(pages))).hasSameSizeAs(expected);
    }

    @Test
    void galleryPagingResumesAtItsPositionWhenNewerImagesArrive() {
        String galleryTable = TestDynamo.freshTable("gallery");
        ImageRepository images = new ImageRepository(dynamo, galleryTable, clock, 8);
        List<ImageRecord> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            all.add(image("user-" + id(), i * 1000L, "public"));
        }
        images.putAll(all);

        Page<ImageRecord> first = images.pageGallery(5, null);
        images.putAll(List.of(image("user-" + id(), 99_000, "public")));
        Page<ImageRecord> second = images.pageGallery(5, first.nextCursor());
        Page<ImageRecord> third = images.pageGallery(5, second.nextCursor());

        List<ImageRecord> expected = all.stream().sorted(NEWEST_FIRST).toList();
        assertThat(first.items()).containsExactlyElementsOf(expected.subList(0, 5));
        assertThat(second.items()).containsExactlyElementsOf(expected.subList(5, 10));
        assertThat(third.items()).containsExactlyElementsOf(expected.subList(10, 12));
        assertThat(third.nextCursor()).isNull();
    }

    @Test
    void anEmptyGalleryIsOneEmptyPage() {
        ImageRepository images = new ImageRepository(dynamo, TestDynamo.freshTable("gallery"), clock);

        assertThat(images.pageGallery(20, null)).isEqualTo(new Page<>(List.of(), null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not base64!", "aGVsbG8", "MTpJTUcjYWJjI3g", "MjpJTUcjMTc5MzYyMDAwMDAwMCN4"})
    void invalidCursorsAreRejected(String cursor) {
        ImageRepository images = new ImageRepository(dynamo, table, clock);

        assertThatThrownBy(() -> images.pageByUser("user-1", 10, cursor)).isInstanceOf(InvalidCursorException.class);
        assertThatThrownBy(() -> images.pageGallery(10, cursor)).isInstanceOf(InvalidCursorException.class);
    }

    @Test
    void aTamperedOrOverlongCursorIsRejected() {
        ImageRepository images = new ImageRepository(dynamo, table, clock);
        String forged = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("1:IMG#17936200000x0#img".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> images.pageGallery(10, forged)).isInstanceOf(InvalidCursorException.class);
        assertThatThrownBy(() -> images.pageGallery(10, "A".repeat(5000))).isInstanceOf(InvalidCursorException.class);
    }

    @Test
    void aLimitOutsideOneToMaxIsRejected() {
        ImageRepository images = new ImageRepository(dynamo, table, clock);

        assertThatThrownBy(() -> images.pageByUser("user-1", 0, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> images.pageGallery(ImageRepository.MAX_PAGE_SIZE + 1, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Page<ImageRecord>> walk(Function<String, Page<ImageRecord>> fetch) {
        List<Page<ImageRecord>> pages = new ArrayList<>();
        String cursor = null;
        do {
            Page<ImageRecord> page = fetch.apply(cursor);
            pages.add(page);
            cursor = page.nextCursor();
            assertThat(pages).as("runaway paging").hasSizeLessThan(100);
        } while (cursor != null);
        return pages;
    }

    private static List<ImageRecord> flatten(List<Page<ImageRecord>> pages) {
        return pages.stream().flatMap(p -> p.items().stream()).toList();
    }

    private static ImageRecord image(String userId, long offsetMillis, String visibility) {
        String jobId = id();
        String imageId = jobId + "-0";
        return new ImageRecord(
                imageId,
                jobId,
                userId,
                "images/" + userId + "/" + jobId + "/0.png",
                "images/" + userId + "/" + jobId + "/0-thumb.webp",
                1024,
                768,
                "image/png",
                42L,
                "a standing figure",
                visibility,
                T0.plusMillis(offsetMillis));
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }
}
