package com.figureforge.adapters.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Key patterns of the single table; every string that becomes part of a key is built here. */
final class Keys {

    static final String PROFILE = "PROFILE";
    static final String TOMBSTONE = "TOMBSTONE";
    static final String INFLIGHT = "INFLIGHT";
    static final String JOB = "JOB";
    static final String IMG = "IMG";
    static final String EVENT = "EVENT";

    /** Prefix of image sort keys in {@code gsi1} (gallery) and {@code gsi2} (owner). */
    static final String IMG_PREFIX = "IMG#";
    /** Length of {@code IMG#} + 13 digits + {@code #}. */
    private static final int IMG_SORT_KEY_HEAD = IMG_PREFIX.length() + 13 + 1;

    private Keys() {}

    static String user(String userId) {
        return "USER#" + requireId(userId, "userId");
    }

    static String quota(String period) {
        return "QUOTA#" + requireId(period, "period");
    }

    static String idempotency(String key) {
        Objects.requireNonNull(key, "idempotency key");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "IDEM#" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String variationSet(String setId) {
        return "VSET#" + requireId(setId, "setId");
    }

    static String job(String jobId) {
        return "JOB#" + requireId(jobId, "jobId");
    }

    static String image(String imageId) {
        return "IMG#" + requireId(imageId, "imageId");
    }

    static String stripeCustomer(String customerId) {
        return "STRIPE#" + requireId(customerId, "stripeCustomerId");
    }

    static String stripeEvent(String eventId) {
        return "STRIPE_EVENT#" + requireId(eventId, "eventId");
    }

    static String gallery(int shard) {
        return "GALLERY#" + shard;
    }

    /** Time-ordered, unique sort key: {@code PREFIX} + zero-padded epoch millis + {@code #} + id. */
    static String timeOrdered(String prefix, Instant at, String id) {
        long millis = at.toEpochMilli();
        if (millis < 0) {
            throw new IllegalArgumentException("time before 1970: " + at);
        }
        return prefix + String.format("%013d", millis) + "#" + id;
    }

    static String imageSortKey(Instant createdAt, String imageId) {
        return timeOrdered(IMG_PREFIX, createdAt, imageId);
    }

    static String jobSortKey(Instant createdAt, String jobId) {
        return timeOrdered("JOB#", createdAt, jobId);
    }

    /** Whether {@code value} has the shape {@code IMG#<13 digits>#<id>}. */
    static boolean isImageSortKey(String value) {
        if (value.length() <= IMG_SORT_KEY_HEAD || !value.startsWith(IMG_PREFIX)) {
            return false;
        }
        for (int i = IMG_PREFIX.length(); i < IMG_SORT_KEY_HEAD - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return value.charAt(IMG_SORT_KEY_HEAD - 1) == '#';
    }

    /** The image id inside an image sort key (caller checked {@link #isImageSortKey}). */
    static String imageIdOf(String imageSortKey) {
        return imageSortKey.substring(IMG_SORT_KEY_HEAD);
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(FigureForgeTable.PK, AttributeValue.fromS(pk), FigureForgeTable.SK, AttributeValue.fromS(sk));
    }

    private static String requireId(String id, String what) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return id;
    }
}
