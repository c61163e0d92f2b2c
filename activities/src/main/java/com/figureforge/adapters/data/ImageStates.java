package com.figureforge.adapters.data;

import static com.figureforge.adapters.data.Items.n;
import static com.figureforge.adapters.data.Items.s;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * What happens to a stored image afterwards, each change one conditional UpdateItem on the image item
 * {@code IMG#{imageId}} / {@code IMG}: visibility and public copy, reports, review.
 *
 * <p>Reports live on the image item: one attribute {@code r#{reporter}} per reporter (the reporter's id
 * hashed, so the item names no reporter) and the count {@code reportCount}. A report is recorded by one
 * write conditional on {@code attribute_not_exists(r#{reporter})}, so a repeat is never counted twice and
 * no transaction is needed. The write that takes the count to the threshold also moves the image out of the
 * gallery: its {@code gsi1} keys become the moderation queue entry {@code MODERATION#pending} /
 * {@code IMG#{hiddenAt millis13}#{imageId}} (the gallery and the queue are both sparse entries of the one
 * index, so an image is in at most one of them, and the move is atomic).
 */
public class ImageStates {

    /** Reports kept per image at most (a few hundred bytes each): later reports count nowhere. */
    public static final int MAX_REPORTS = 100;

    static final String REVIEW_QUEUE = "MODERATION#pending";
    private static final String REPORT_PREFIX = "r#";
    private static final String HIDDEN_AT = "hiddenAt";

    /** How a report ended. */
    public enum ReportOutcome {
        /** counted */
        RECORDED,
        /** counted, and the image left the gallery for review */
        HIDDEN,
        /** this user had reported it before (or it holds {@link #MAX_REPORTS}): nothing changed */
        ALREADY_REPORTED,
        /** no such public image */
        NOT_FOUND
    }

    /** One report: the reason from the API's closed list, the optional note, when. */
    public record Report(String reason, String note, Instant at) {}

    /** An image held for review, with its reports (newest first). */
    public record Review(ImageRecord image, Instant hiddenAt, List<Report> reports) {}

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final ImageRepository images;

    public ImageStates(DynamoDbClient dynamo, String tableName, Clock clock, ImageRepository images) {
        this.dynamo = Objects.requireNonNull(dynamo);
        this.table = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
        this.images = Objects.requireNonNull(images);
    }

    /**
     * Sets an image's visibility and its public copy's keys ({@code null}: none) in one UpdateItem; the
     * gallery entry follows at once (added for public, removed for private), except while the image is held
     * for review, when its {@code gsi1} keys hold the moderation queue entry and stay. Conditional on the
     * owner and on the moderation state read before, so a report hiding the image meanwhile is never undone
     * (the write is retried against the new state).
     *
     * @return the image as written; empty when it is gone or not the owner's
     */
    public Optional<ImageRecord> updateVisibility(
            String imageId, String ownerId, String visibility, String publicKey, String publicThumbnailKey) {
        Visibility.require(visibility);
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<ImageRecord> found =
                    images.find(imageId).filter(image -> image.userId().equals(ownerId));
            if (found.isEmpty()) {
                return Optional.empty();
            }
            ImageRecord current = found.get();
            // An image held for review has no public copy until a moderator restores it.
            boolean copy = publicKey != null && publicThumbnailKey != null && !current.pendingReview();
            ImageRecord updated =
                    current.withVisibility(visibility, copy ? publicKey : null, copy ? publicThumbnailKey : null);
            Map<String, String> names = new HashMap<>(Map.of(
                    "#owner",
                    ImageRepository.USER_ID,
                    "#v",
                    ImageRepository.VISIBILITY,
                    "#mod",
                    ImageRepository.MODERATION,
                    "#pub",
                    ImageRepository.PUBLIC_KEY,
                    "#pubt",
                    ImageRepository.PUBLIC_THUMBNAIL_KEY));
            Map<String, AttributeValue> values = new HashMap<>(Map.of(":owner", s(ownerId), ":v", s(visibility)));
            List<String> set = new ArrayList<>(List.of("#v = :v"));
            List<String> remove = new ArrayList<>();
            if (copy) {
                set.add("#pub = :pub");
                set.add("#pubt = :pubt");
                values.put(":pub", s(publicKey));
                values.put(":pubt", s(publicThumbnailKey));
            } else {
                remove.add("#pub");
                remove.add("#pubt");
            }
            String condition = "#owner = :owner AND "
                    + (current.pendingReview() ? "#mod = :pending" : "attribute_not_exists(#mod)");
            if (current.pendingReview()) {
                values.put(":pending", s(ImageRecord.PENDING_REVIEW));
            } else {
                names.put("#g1pk", FigureForgeTable.GSI1_PK);
                names.put("#g1sk", FigureForgeTable.GSI1_SK);
                if (updated.isPublic()) {
                    set.add("#g1pk = :g1pk");
                    set.add("#g1sk = :g1sk");
                    values.put(":g1pk", s(Keys.gallery(ImageRepository.galleryShard(imageId, images.galleryShards()))));
                    values.put(":g1sk", s(Keys.imageSortKey(current.createdAt(), imageId)));
                } else {
                    remove.add("#g1pk");
                    remove.add("#g1sk");
                }
            }
            String expression =
                    "SET " + String.join(", ", set) + (remove.isEmpty() ? "" : " REMOVE " + String.join(", ", remove));
            try {
                dynamo.updateItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.image(imageId), Keys.IMG))
                        .updateExpression(expression)
                        .conditionExpression(condition)
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(values));
                return Optional.of(updated);
            } catch (ConditionalCheckFailedException changedMeanwhile) {
                // deleted, or reported into review (or restored) since the read: look again
            }
        }
        throw new IllegalStateException("image " + imageId + " kept changing; visibility not set");
    }

    /**
     * Records the public copy of a public image made after it was listed (images stored before public
     * copies existed get one on their first gallery read). Only while the image is public; returns whether
     * it was recorded.
     */
    public boolean recordPublicCopy(String imageId, String publicKey, String publicThumbnailKey) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Keys.key(Keys.image(imageId), Keys.IMG))
                    .updateExpression("SET #pub = :pub, #pubt = :pubt")
                    .conditionExpression("#v = :public")
                    .expressionAttributeNames(Map.of(
                            "#pub",
                            ImageRepository.PUBLIC_KEY,
                            "#pubt",
                            ImageRepository.PUBLIC_THUMBNAIL_KEY,
                            "#v",
                            ImageRepository.VISIBILITY))
                    .expressionAttributeValues(Map.of(
                            ":pub", s(publicKey), ":pubt", s(publicThumbnailKey), ":public", s(Visibility.PUBLIC))));
            return true;
        } catch (ConditionalCheckFailedException notPublic) {
            return false;
        }
    }

    /**
     * Records one user's report of a public image. The write that reaches {@code threshold} distinct
     * reports also takes the image out of the gallery into the review queue and forgets its public copy's
     * keys (the caller deletes the copy). Concurrent reports race only through conditional writes: exactly
     * one of them makes the move.
     */
    public ReportOutcome report(String imageId, String reporterId, Report report, int threshold) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1");
        }
        String reportAttribute = REPORT_PREFIX + reporterHash(reporterId);
        Map<String, AttributeValue> reportValue = new HashMap<>(Map.of(
                "reason", s(report.reason()), "at", Items.time(report.at().truncatedTo(ChronoUnit.MILLIS))));
        if (report.note() != null) {
            reportValue.put("note", s(report.note()));
        }
        for (int attempt = 0; attempt < 10; attempt++) {
            Optional<ImageRecord> found = images.find(imageId);
            if (found.isEmpty() || !found.get().isPublic()) {
                return ReportOutcome.NOT_FOUND;
            }
            ImageRecord image = found.get();
            Map<String, String> names = new HashMap<>(Map.of(
                    "#r", reportAttribute,
                    "#count", ImageRepository.REPORT_COUNT,
                    "#v", ImageRepository.VISIBILITY,
                    "#mod", ImageRepository.MODERATION));
            Map<String, AttributeValue> values = new HashMap<>(Map.of(
                    ":report", AttributeValue.fromM(reportValue),
                    ":one", n(1),
                    ":public", s(Visibility.PUBLIC)));
            if (image.reportCount() >= MAX_REPORTS) {
                return ReportOutcome.ALREADY_REPORTED;
            }
            // The count and review state read are part of the condition: a report or a decision that came
            // in meanwhile sends us round again.
            String condition = "#v = :public AND attribute_not_exists(#r) AND "
                    + (image.reportCount() == 0 ? "attribute_not_exists(#count)" : "#count = :seen")
                    + (image.pendingReview() ? " AND #mod = :pending" : " AND attribute_not_exists(#mod)");
            if (image.reportCount() > 0) {
                values.put(":seen", n(image.reportCount()));
            }
            boolean reachesThreshold = !image.pendingReview() && image.reportCount() + 1 >= threshold;
            if (image.pendingReview() || reachesThreshold) {
                values.put(":pending", s(ImageRecord.PENDING_REVIEW));
            }
            String update = "SET #r = :report ADD #count :one";
            if (reachesThreshold) {
                Instant hiddenAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                names.putAll(Map.of(
                        "#g1pk", FigureForgeTable.GSI1_PK,
                        "#g1sk", FigureForgeTable.GSI1_SK,
                        "#hidden", HIDDEN_AT,
                        "#pub", ImageRepository.PUBLIC_KEY,
                        "#pubt", ImageRepository.PUBLIC_THUMBNAIL_KEY));
                values.putAll(Map.of(
                        ":queue", s(REVIEW_QUEUE),
                        ":qsk", s(Keys.imageSortKey(hiddenAt, imageId)),
                        ":hidden", Items.time(hiddenAt)));
                update = "SET #r = :report, #mod = :pending, #g1pk = :queue, #g1sk = :qsk, #hidden = :hidden"
                        + " ADD #count :one REMOVE #pub, #pubt";
            }
            String expression = update;
            String finalCondition = condition;
            try {
                dynamo.updateItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.image(imageId), Keys.IMG))
                        .updateExpression(expression)
                        .conditionExpression(finalCondition)
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(values));
                return reachesThreshold ? ReportOutcome.HIDDEN : ReportOutcome.RECORDED;
            } catch (ConditionalCheckFailedException changed) {
                if (alreadyReported(imageId, reportAttribute)) {
                    return ReportOutcome.ALREADY_REPORTED;
                }
                // another report, a visibility change or a review came first: read again
            }
        }
        throw new IllegalStateException("image " + imageId + " kept changing; report not recorded");
    }

    /** The review queue, newest hidden first: one Query of {@code gsi1} {@code MODERATION#pending}. */
    public Page<Review> pageReviews(int limit, String cursor) {
        if (limit < 1 || limit > ImageRepository.MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("limit must be between 1 and " + ImageRepository.MAX_PAGE_SIZE);
        }
        List<Map<String, AttributeValue>> items =
                images.queryNewestFirst(REVIEW_QUEUE, Cursors.decode(cursor), limit + 1);
        boolean more = items.size() > limit;
        List<Map<String, AttributeValue>> page = more ? items.subList(0, limit) : items;
        String next = more ? Cursors.encode(Items.string(page.getLast(), FigureForgeTable.GSI1_SK)) : null;
        return new Page<>(page.stream().map(ImageStates::review).toList(), next);
    }

    /** An image held for review, with its reports; empty when it is not (or no longer) held. */
    public Optional<Review> findReview(String imageId) {
        Map<String, AttributeValue> item = rawItem(imageId);
        if (item == null || !ImageRecord.PENDING_REVIEW.equals(Items.string(item, ImageRepository.MODERATION))) {
            return Optional.empty();
        }
        return Optional.of(review(item));
    }

    /**
     * Ends a review by restoring the image: its reports are cleared, and a public image is back in the
     * gallery with the public copy given ({@code null} keys when it is private now). Conditional on the
     * review and the reports read, so a report arriving meanwhile sends it round again. Returns the image
     * as written; empty when it is not held for review.
     */
    public Optional<ImageRecord> restore(String imageId, String publicKey, String publicThumbnailKey) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Map<String, AttributeValue> item = rawItem(imageId);
            if (item == null || !ImageRecord.PENDING_REVIEW.equals(Items.string(item, ImageRepository.MODERATION))) {
                return Optional.empty();
            }
            ImageRecord image = ImageRepository.fromItem(item);
            Map<String, String> names = new HashMap<>(Map.of(
                    "#mod", ImageRepository.MODERATION,
                    "#count", ImageRepository.REPORT_COUNT,
                    "#hidden", HIDDEN_AT,
                    "#g1pk", FigureForgeTable.GSI1_PK,
                    "#g1sk", FigureForgeTable.GSI1_SK,
                    "#pub", ImageRepository.PUBLIC_KEY,
                    "#pubt", ImageRepository.PUBLIC_THUMBNAIL_KEY));
            Map<String, AttributeValue> values =
                    new HashMap<>(Map.of(":pending", s(ImageRecord.PENDING_REVIEW), ":seen", n(image.reportCount())));
            List<String> remove = new ArrayList<>(List.of("#mod", "#count", "#hidden"));
            int i = 0;
            for (String attribute : item.keySet()) {
                if (attribute.startsWith(REPORT_PREFIX)) {
                    names.put("#r" + i, attribute);
                    remove.add("#r" + i++);
                }
            }
            List<String> set = new ArrayList<>();
            boolean listed = image.isPublic() && publicKey != null && publicThumbnailKey != null;
            if (listed) {
                set.addAll(List.of("#g1pk = :g1pk", "#g1sk = :g1sk", "#pub = :pub", "#pubt = :pubt"));
                values.putAll(Map.of(
                        ":g1pk", s(Keys.gallery(ImageRepository.galleryShard(imageId, images.galleryShards()))),
                        ":g1sk", s(Keys.imageSortKey(image.createdAt(), imageId)),
                        ":pub", s(publicKey),
                        ":pubt", s(publicThumbnailKey)));
            } else {
                remove.addAll(List.of("#g1pk", "#g1sk", "#pub", "#pubt"));
            }
            String expression = (set.isEmpty() ? "" : "SET " + String.join(", ", set) + " ") + "REMOVE "
                    + String.join(", ", remove);
            try {
                dynamo.updateItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.image(imageId), Keys.IMG))
                        .updateExpression(expression)
                        .conditionExpression("#mod = :pending AND #count = :seen")
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(values));
                ImageRecord restored = image.reviewed(listed ? publicKey : null, listed ? publicThumbnailKey : null);
                return Optional.of(restored);
            } catch (ConditionalCheckFailedException changed) {
                // a report or another decision came first: read again
            }
        }
        throw new IllegalStateException("image " + imageId + " kept changing; not restored");
    }

    private boolean alreadyReported(String imageId, String reportAttribute) {
        Map<String, AttributeValue> item = rawItem(imageId);
        return item != null && item.containsKey(reportAttribute);
    }

    private Map<String, AttributeValue> rawItem(String imageId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.image(imageId), Keys.IMG))
                        .consistentRead(true))
                .item();
        return item == null || item.isEmpty() ? null : item;
    }

    private static Review review(Map<String, AttributeValue> item) {
        List<Report> reports = new ArrayList<>();
        item.forEach((name, value) -> {
            if (name.startsWith(REPORT_PREFIX) && value.hasM()) {
                Map<String, AttributeValue> report = value.m();
                reports.add(new Report(
                        Items.string(report, "reason"), Items.string(report, "note"), Items.time(report, "at")));
            }
        });
        reports.sort(Comparator.comparing(Report::at, Comparator.nullsLast(Comparator.reverseOrder())));
        return new Review(ImageRepository.fromItem(item), Items.time(item, HIDDEN_AT), List.copyOf(reports));
    }

    /** The reporter as stored: a SHA-256 prefix of the user id, enough to tell reporters apart. */
    static String reporterHash(String userId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(userId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
