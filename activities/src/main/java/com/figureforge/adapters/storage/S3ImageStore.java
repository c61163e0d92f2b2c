package com.figureforge.adapters.storage;

import com.figureforge.adapters.Forked;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Image bytes in S3, private, under per-user prefixes: {@code images/{user}/{job}/{index}.{ext}} and its
 * thumbnail {@code images/{user}/{job}/{index}-thumb.{ext}}. Clients only ever get presigned URLs.
 *
 * <p>A public image also has a copy of both objects under {@code public/{job}-{index}.{ext}} (see
 * {@link #publicKeyOf}): URLs of that copy name no user. Deleting a job's or a user's objects deletes their
 * public copies too.
 *
 * <p>Storing is idempotent: keys derive from user, job and index, and an object already there with the same
 * content (same length and MD5, checked with HeadObject) is not written again, so a retried activity neither
 * stores a second copy nor rewrites the first.
 */
public class S3ImageStore {

    private static final Logger log = LoggerFactory.getLogger(S3ImageStore.class);

    /** User metadata naming the MD5 (base64) of the source image an object was made from. */
    static final String SOURCE_MD5 = "source-md5";

    private static final String ROOT = "images/";
    /** Public copies: {@code public/{job}-{file}}, no user id (docs/security.md, "Public images"). */
    private static final String PUBLIC_ROOT = "public/";

    private static final Duration MAX_PRESIGN = Duration.ofDays(7);

    private final S3Client s3;
    private final S3Presigner presigner;
    private final ImageStoreSettings settings;
    private final ImageInspector inspector;
    private final ThumbnailMaker thumbnails;

    public S3ImageStore(S3Client s3, S3Presigner presigner, ImageStoreSettings settings) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.presigner = Objects.requireNonNull(presigner, "presigner");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.inspector = new ImageInspector(settings);
        this.thumbnails = new ThumbnailMaker(settings.thumbnailSize());
    }

    public String bucket() {
        return settings.bucket();
    }

    public ImageStoreSettings settings() {
        return settings;
    }

    /**
     * Checks the bytes and stores them with a thumbnail, unless both are already stored.
     *
     * @throws ImageRejectedException when the bytes are not an image we accept
     */
    public StoredObjects storeImage(String userId, String jobId, int index, byte[] bytes) {
        return storeImage(userId, jobId, index, bytes, true);
    }

    /**
     * As {@link #storeImage(String, String, int, byte[])}; with {@code mayBeStored} false (the first attempt
     * of the only step that writes these keys) the HeadObject checks are skipped: at worst an identical
     * object is written again. The two writes (and the two checks) run in parallel.
     */
    public StoredObjects storeImage(String userId, String jobId, int index, byte[] bytes, boolean mayBeStored) {
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative: " + index);
        }
        ImageInspector.Header header = inspector.inspect(bytes);
        ImageFormat thumbnailFormat = ThumbnailMaker.formatFor(header.format());
        String prefix = jobPrefix(userId, jobId);
        String key = prefix + index + "." + header.format().extension();
        String thumbnailKey = prefix + index + "-thumb." + thumbnailFormat.extension();
        byte[] md5 = md5(bytes);
        String md5Base64 = Base64.getEncoder().encodeToString(md5);
        String md5Hex = HexFormat.of().formatHex(md5);

        Forked<Boolean> imageCheck =
                mayBeStored ? Forked.start(() -> matches(head(key), bytes.length, md5Base64, md5Hex)) : null;
        boolean thumbnailStored = mayBeStored && matches(head(thumbnailKey), -1, md5Base64, null);
        boolean imageStored = imageCheck != null && imageCheck.join();
        int[] thumbnailSize = thumbnails.size(header.width(), header.height());
        int written = 0;
        if (!imageStored || !thumbnailStored) {
            // Decoding reads the whole stream, so truncated or corrupt bytes are rejected before anything is
            // written; only the pixels the thumbnail needs are kept (a fraction of the image's memory).
            var decoded =
                    inspector.decode(bytes, header, thumbnails.rowSubsamplingFor(header.width(), header.height()));
            var thumbnail =
                    thumbnailStored ? null : thumbnails.make(decoded, header.format(), header.width(), header.height());
            Forked.both(
                    () -> {
                        if (thumbnail != null) {
                            put(
                                    thumbnailKey,
                                    thumbnail.bytes(),
                                    thumbnail.format(),
                                    thumbnail.width(),
                                    thumbnail.height(),
                                    md5Base64);
                        }
                    },
                    () -> {
                        if (!imageStored) {
                            put(key, bytes, header.format(), header.width(), header.height(), md5Base64);
                        }
                    });
            written = (thumbnailStored ? 0 : 1) + (imageStored ? 0 : 1);
        }
        log.debug("image {} stored ({} of 2 objects written)", key, written);
        return new StoredObjects(
                key,
                thumbnailKey,
                header.format(),
                header.width(),
                header.height(),
                bytes.length,
                thumbnailSize[0],
                thumbnailSize[1],
                written);
    }

    /**
     * The image stored before for this user, job and index, with its thumbnail, if both are there: lets a
     * retry finish after the source URL stopped working. Reads only metadata (HeadObject).
     */
    public Optional<StoredObjects> findStored(String userId, String jobId, int index) {
        String prefix = jobPrefix(userId, jobId);
        for (ImageFormat format : ImageFormat.values()) {
            HeadObjectResponse image = head(prefix + index + "." + format.extension());
            if (image == null) {
                continue;
            }
            ImageFormat thumbnailFormat = ThumbnailMaker.formatFor(format);
            String thumbnailKey = prefix + index + "-thumb." + thumbnailFormat.extension();
            Integer width = intMetadata(image, "width");
            Integer height = intMetadata(image, "height");
            if (width == null || height == null || head(thumbnailKey) == null) {
                return Optional.empty();
            }
            int[] thumbnailSize = thumbnails.size(width, height);
            return Optional.of(new StoredObjects(
                    prefix + index + "." + format.extension(),
                    thumbnailKey,
                    format,
                    width,
                    height,
                    image.contentLength() == null ? 0 : image.contentLength(),
                    thumbnailSize[0],
                    thumbnailSize[1],
                    0));
        }
        return Optional.empty();
    }

    private static Integer intMetadata(HeadObjectResponse head, String name) {
        try {
            String value = head.metadata().get(name);
            return value == null ? null : Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A time-limited GET URL for one object (at most 7 days, the SigV4 limit). */
    public URI presignGet(String key, Duration validity) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("key must not be blank");
        }
        if (validity.isNegative() || validity.isZero() || validity.compareTo(MAX_PRESIGN) > 0) {
            throw new IllegalArgumentException("validity must be between 0 and 7 days: " + validity);
        }
        var presigned = presigner.presignGetObject(request -> request.signatureDuration(validity)
                .getObjectRequest(get -> get.bucket(settings.bucket()).key(key)));
        try {
            return presigned.url().toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("presigner produced an invalid URL", e);
        }
    }

    /** Deletes every object under {@code images/{user}/}; returns how many were deleted. */
    public long deleteAllForUser(String userId) {
        return deleteAllForUser(userId, deleted -> {});
    }

    /**
     * Deletes every object under {@code images/{user}/}, one listing page (up to 1000 keys) at a time, and calls
     * {@code progress} with the running total after each page (a place to heartbeat). Safe to repeat.
     */
    public long deleteAllForUser(String userId, LongConsumer progress) {
        return deletePrefix(userPrefix(userId), progress);
    }

    /**
     * Deletes every object under {@code images/{user}/{job}/}: takes back what a job stored for an account that
     * is being deleted. Safe to repeat.
     */
    public long deleteAllForJob(String userId, String jobId) {
        return deletePrefix(jobPrefix(userId, jobId), deleted -> {});
    }

    private long deletePrefix(String prefix, LongConsumer progress) {
        long deleted = 0;
        for (ListObjectsV2Response page : s3.listObjectsV2Paginator(
                request -> request.bucket(settings.bucket()).prefix(prefix))) {
            List<String> keys = page.contents().stream().map(S3Object::key).toList();
            if (keys.isEmpty()) {
                continue;
            }
            // Public copies first: a retry finds their private originals still listed and tries again.
            deleteKeys(keys.stream()
                    .filter(S3ImageStore::hasPublicKey)
                    .map(S3ImageStore::publicKeyOf)
                    .toList());
            deleteKeys(keys);
            deleted += keys.size();
            progress.accept(deleted);
        }
        log.info("deleted {} image objects under {}", deleted, prefix);
        return deleted;
    }

    /**
     * Copies an image's or thumbnail's object to its public key (CopyObject within the bucket, metadata
     * and content type kept); returns that key. Idempotent: a repeat copies the same bytes again.
     */
    public String copyToPublic(String key) {
        String publicKey = publicKeyOf(key);
        s3.copyObject(request -> request.sourceBucket(settings.bucket())
                .sourceKey(key)
                .destinationBucket(settings.bucket())
                .destinationKey(publicKey));
        return publicKey;
    }

    /** Deletes these objects (at most 1000); keys that do not exist are fine. */
    public void deleteKeys(List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        if (keys.size() > 1000) {
            throw new IllegalArgumentException("at most 1000 keys at once, not " + keys.size());
        }
        List<ObjectIdentifier> objects = keys.stream()
                .map(key -> ObjectIdentifier.builder().key(key).build())
                .toList();
        DeleteObjectsResponse response = s3.deleteObjects(request -> request.bucket(settings.bucket())
                .delete(Delete.builder().objects(objects).quiet(true).build()));
        if (response.hasErrors() && !response.errors().isEmpty()) {
            var first = response.errors().getFirst();
            throw new IllegalStateException(
                    "could not delete " + response.errors().size() + " objects, first " + first.key() + ": "
                            + first.code() + " " + first.message());
        }
    }

    /** Whether an object is there (HeadObject). */
    public boolean exists(String key) {
        return head(key) != null;
    }

    /**
     * The public key of a stored object: {@code images/{user}/{job}/{file}} becomes {@code public/{job}-{file}},
     * e.g. {@code public/0193...-0.png} and {@code public/0193...-0-thumb.png}. The job id is a random
     * (version 7) UUID, so the key names no user and cannot be derived from one.
     */
    public static String publicKeyOf(String key) {
        if (key == null || !key.startsWith(ROOT)) {
            throw new IllegalArgumentException("not an image key: " + key);
        }
        String[] parts = key.substring(ROOT.length()).split("/", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not an image key: " + key);
        }
        return PUBLIC_ROOT + segment(parts[1], "jobId") + "-" + segment(parts[2], "file");
    }

    /** Whether a key has the shape {@code images/{user}/{job}/{file}}, and so a public key. */
    static boolean hasPublicKey(String key) {
        try {
            publicKeyOf(key);
            return true;
        } catch (IllegalArgumentException notAnImageKey) {
            return false;
        }
    }

    /** {@code images/{user}/}: everything of one user. */
    public static String userPrefix(String userId) {
        return ROOT + segment(userId, "userId") + "/";
    }

    /** {@code images/{user}/{job}/}: everything of one job. */
    public static String jobPrefix(String userId, String jobId) {
        return userPrefix(userId) + segment(jobId, "jobId") + "/";
    }

    // ---------------------------------------------------------------------------------------------------------

    private HeadObjectResponse head(String key) {
        try {
            return s3.headObject(request -> request.bucket(settings.bucket()).key(key));
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Whether an existing object holds what we would write: same length (when known) and made from the same
     * source bytes, by our metadata or, for the image itself, by an ETag that is the MD5 (single-part upload
     * without KMS).
     */
    private static boolean matches(HeadObjectResponse head, long expectedLength, String md5Base64, String md5Hex) {
        if (head == null) {
            return false;
        }
        if (expectedLength >= 0 && (head.contentLength() == null || head.contentLength() != expectedLength)) {
            return false;
        }
        if (md5Base64.equals(head.metadata().get(SOURCE_MD5))) {
            return true;
        }
        String etag = head.eTag() == null ? "" : head.eTag().replace("\"", "");
        return md5Hex != null && etag.equalsIgnoreCase(md5Hex);
    }

    private void put(String key, byte[] bytes, ImageFormat format, int width, int height, String sourceMd5) {
        s3.putObject(
                request -> request.bucket(settings.bucket())
                        .key(key)
                        .contentType(format.contentType())
                        .contentLength((long) bytes.length)
                        .metadata(Map.of(
                                SOURCE_MD5,
                                sourceMd5,
                                "width",
                                Integer.toString(width),
                                "height",
                                Integer.toString(height))),
                RequestBody.fromBytes(bytes));
    }

    private static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One key segment: no slashes, no dot-only names, no control characters. */
    private static String segment(String value, String name) {
        if (value == null || value.isBlank() || value.equals(".") || value.equals("..") || value.length() > 200) {
            throw new IllegalArgumentException(name + " is not usable in an S3 key: " + value);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == '\\' || Character.isISOControl(c)) {
                throw new IllegalArgumentException(name + " is not usable in an S3 key: " + value);
            }
        }
        return value;
    }
}
