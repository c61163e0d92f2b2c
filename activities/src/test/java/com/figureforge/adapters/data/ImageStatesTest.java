package com.figureforge.adapters.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.ImageStates.Report;
import com.figureforge.adapters.data.ImageStates.ReportOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Visibility, reports and review against dynalite: every change one conditional write on the image item. */
class ImageStatesTest {

    private static final DynamoDbClient dynamo = TestDynamo.client();
    private static final Instant T0 = Instant.parse("2026-11-14T10:00:00Z");

    private static String table;
    private final MutableClock clock = new MutableClock(T0);
    private ImageRepository images;
    private ImageStates states;

    @BeforeAll
    static void createTable() {
        table = TestDynamo.freshTable("states");
    }

    @BeforeEach
    void setUp() {
        // One gallery shard: the gallery listing below reads every public image of this test's table.
        images = new ImageRepository(dynamo, table, clock, 1);
        states = new ImageStates(dynamo, table, clock, images);
    }

    @Test
    void visibilityMovesTheGalleryEntryAtOnceAndOnlyForTheOwner() {
        ImageRecord image = stored("private");
        String id = image.imageId();

        assertThat(states.updateVisibility(id, "someone-else", "public", "public/a.png", "public/a-thumb.png"))
                .isEmpty();
        assertThat(galleryIds()).doesNotContain(id);

        ImageRecord published = states.updateVisibility(
                        id, image.userId(), "public", "public/a.png", "public/a-thumb.png")
                .orElseThrow();
        assertThat(published.publicKey()).isEqualTo("public/a.png");
        assertThat(images.find(id)).contains(published);
        assertThat(galleryIds()).contains(id);

        states.updateVisibility(id, image.userId(), "private", null, null);
        ImageRecord hidden = images.find(id).orElseThrow();
        assertThat(hidden.visibility()).isEqualTo("private");
        assertThat(hidden.publicKey()).isNull();
        assertThat(galleryIds()).doesNotContain(id);
        assertThat(states.updateVisibility("no-such-image", image.userId(), "public", null, null))
                .isEmpty();
    }

    @Test
    void distinctReportsReachingTheThresholdMoveTheImageIntoTheReviewQueueOnce() {
        ImageRecord image = published();
        String id = image.imageId();

        assertThat(states.report(id, "r1", report("spam"), 3)).isEqualTo(ReportOutcome.RECORDED);
        assertThat(states.report(id, "r1", report("hate"), 3)).isEqualTo(ReportOutcome.ALREADY_REPORTED);
        assertThat(states.report(id, "r2", report("spam"), 3)).isEqualTo(ReportOutcome.RECORDED);
        assertThat(images.find(id).orElseThrow().reportCount())
                .as("the repeat is not counted")
                .isEqualTo(2);
        assertThat(galleryIds()).contains(id);

        clock.advance(java.time.Duration.ofSeconds(5));
        assertThat(states.report(id, "r3", report("violence"), 3)).isEqualTo(ReportOutcome.HIDDEN);
        assertThat(states.report(id, "r4", report("other"), 3)).isEqualTo(ReportOutcome.RECORDED);

        ImageRecord held = images.find(id).orElseThrow();
        assertThat(held.pendingReview()).isTrue();
        assertThat(held.reportCount()).isEqualTo(4);
        assertThat(held.publicKey()).as("the public copy is forgotten").isNull();
        assertThat(galleryIds()).doesNotContain(id);
        ImageStates.Review review = states.findReview(id).orElseThrow();
        assertThat(review.hiddenAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(review.reports())
                .extracting(Report::reason)
                .containsExactlyInAnyOrder("spam", "spam", "violence", "other");
        assertThat(states.pageReviews(100, null).items())
                .extracting(r -> r.image().imageId())
                .contains(id);
    }

    @Test
    void concurrentReportsOfDistinctUsersCountEachAndHideOnce() throws Exception {
        ImageRecord image = published();
        List<Callable<ReportOutcome>> reporters = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String reporter = "racer-" + i;
            reporters.add(() -> states.report(image.imageId(), reporter, report("spam"), 3));
        }
        List<ReportOutcome> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (Future<ReportOutcome> outcome : pool.invokeAll(reporters)) {
                outcomes.add(outcome.get());
            }
        }

        assertThat(outcomes).filteredOn(o -> o == ReportOutcome.HIDDEN).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o == ReportOutcome.RECORDED).hasSize(7);
        assertThat(images.find(image.imageId()).orElseThrow().reportCount()).isEqualTo(8);
    }

    @Test
    void onlyPublicImagesCanBeReported() {
        ImageRecord image = stored("private");
        assertThat(states.report(image.imageId(), "r1", report("spam"), 1)).isEqualTo(ReportOutcome.NOT_FOUND);
        assertThat(states.report("no-such-image", "r1", report("spam"), 1)).isEqualTo(ReportOutcome.NOT_FOUND);
        assertThat(images.find(image.imageId()).orElseThrow().reportCount()).isZero();
    }

    @Test
    void restoringClearsTheReportsAndListsAPublicImageAgain() {
        ImageRecord image = published();
        String id = image.imageId();
        states.report(id, "r1", report("spam"), 1);
        assertThat(states.updateVisibility(id, image.userId(), "public", "public/x.png", "public/x-thumb.png"))
                .as("a visibility change while held keeps it out of the gallery, without a copy")
                .hasValueSatisfying(held -> assertThat(held.publicKey()).isNull());
        assertThat(galleryIds()).doesNotContain(id);

        ImageRecord restored =
                states.restore(id, "public/x.png", "public/x-thumb.png").orElseThrow();

        assertThat(restored.pendingReview()).isFalse();
        assertThat(restored.reportCount()).isZero();
        assertThat(images.find(id)).contains(restored);
        assertThat(galleryIds()).contains(id);
        assertThat(states.findReview(id)).isEmpty();
        assertThat(states.pageReviews(100, null).items())
                .extracting(r -> r.image().imageId())
                .doesNotContain(id);
        assertThat(states.restore(id, null, null)).as("not held any more").isEmpty();
        assertThat(states.report(id, "r1", report("spam"), 3))
                .as("the same user may report again")
                .isEqualTo(ReportOutcome.RECORDED);
    }

    @Test
    void aHeldImageMadePrivateIsRestoredUnlisted() {
        ImageRecord image = published();
        states.report(image.imageId(), "r1", report("spam"), 1);
        states.updateVisibility(image.imageId(), image.userId(), "private", null, null);

        ImageRecord restored = states.restore(image.imageId(), null, null).orElseThrow();

        assertThat(restored.visibility()).isEqualTo("private");
        assertThat(galleryIds()).doesNotContain(image.imageId());
    }

    @Test
    void deletingAnImageTakesItsReportsAndQueueEntryWithIt() {
        ImageRecord image = published();
        states.report(image.imageId(), "r1", report("spam"), 1);

        assertThat(images.delete(image.imageId())).isPresent();

        assertThat(states.findReview(image.imageId())).isEmpty();
        assertThat(states.pageReviews(100, null).items())
                .extracting(r -> r.image().imageId())
                .doesNotContain(image.imageId());
        assertThat(images.delete(image.imageId())).isEmpty();
    }

    @Test
    void reportsNameNoReporter() {
        ImageRecord image = published();
        states.report(image.imageId(), "reporter-with-a-name", report("spam"), 5);

        var item = dynamo.getItem(b -> b.tableName(table).key(Keys.key(Keys.image(image.imageId()), Keys.IMG)))
                .item();
        assertThat(item.toString()).doesNotContain("reporter-with-a-name");
    }

    // ---------------------------------------------------------------------------------------------------------

    private ImageRecord published() {
        ImageRecord image = stored("private");
        return states.updateVisibility(image.imageId(), image.userId(), "public", "public/p.png", "public/p-thumb.png")
                .orElseThrow();
    }

    private ImageRecord stored(String visibility) {
        String userId = "user-" + UUID.randomUUID();
        String jobId = UUID.randomUUID().toString();
        ImageRecord image = new ImageRecord(
                jobId + "-0",
                jobId,
                userId,
                "images/" + userId + "/" + jobId + "/0.png",
                "images/" + userId + "/" + jobId + "/0-thumb.png",
                64,
                64,
                "image/png",
                7L,
                "a figure",
                visibility,
                clock.instant());
        images.putAll(List.of(image));
        return images.find(image.imageId()).orElseThrow();
    }

    private Report report(String reason) {
        return new Report(reason, "note for " + reason, clock.instant());
    }

    private List<String> galleryIds() {
        return images.pageGallery(100, null).items().stream()
                .map(ImageRecord::imageId)
                .toList();
    }
}
