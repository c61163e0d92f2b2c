package com.figureforge.adapters.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

class S3ImageStoreTest {

    private static final String BUCKET = "images-test";
    private static final S3TestSupport.RequestCounter counter = new S3TestSupport.RequestCounter();
    private static S3Client s3;
    private static S3Presigner presigner;
    private static S3ImageStore store;
    private static HttpClient http;

    private String user;
    private String job;

    @BeforeAll
    static void setUp() {
        s3 = S3TestSupport.client(counter);
        presigner = S3TestSupport.presigner();
        S3TestSupport.createBucket(s3, BUCKET);
        store = new S3ImageStore(s3, presigner, ImageStoreSettings.forBucket(BUCKET));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void tearDown() {
        http.close();
        presigner.close();
        s3.close();
    }

    @BeforeEach
    void freshIds() {
        user = "user-" + UUID.randomUUID();
        job = "job-" + UUID.randomUUID();
        counter.reset();
    }

    @Test
    void storesThePngAndAThumbnailWithTheirRealDimensions() throws IOException {
        byte[] png = S3TestSupport.image("png", 1024, 768, true);

        StoredObjects stored = store.storeImage(user, job, 0, png);

        assertThat(stored.key()).isEqualTo("images/" + user + "/" + job + "/0.png");
        assertThat(stored.thumbnailKey()).isEqualTo("images/" + user + "/" + job + "/0-thumb.png");
        assertThat(stored.format()).isEqualTo(ImageFormat.PNG);
        assertThat(stored.contentType()).isEqualTo("image/png");
        assertThat(stored.width()).isEqualTo(1024);
        assertThat(stored.height()).isEqualTo(768);
        assertThat(stored.sizeBytes()).isEqualTo(png.length);
        assertThat(stored.objectsWritten()).isEqualTo(2);
        assertThat(counter.puts()).isEqualTo(2);

        assertThat(download(stored.key())).isEqualTo(png);
        BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(download(stored.thumbnailKey())));
        assertThat(thumbnail.getWidth()).isEqualTo(256).isEqualTo(stored.thumbnailWidth());
        assertThat(thumbnail.getHeight()).isEqualTo(192).isEqualTo(stored.thumbnailHeight());
        assertThat(thumbnail.getColorModel().hasAlpha()).isTrue();

        HeadObjectResponse head = s3.headObject(r -> r.bucket(BUCKET).key(stored.key()));
        assertThat(head.contentType()).isEqualTo("image/png");
        assertThat(head.metadata()).containsEntry("width", "1024").containsEntry("height", "768");
    }

    @Test
    void storesAJpegWithAJpegThumbnailOnTheLongSide() throws IOException {
        byte[] jpeg = S3TestSupport.image("jpeg", 600, 900, false);

        StoredObjects stored = store.storeImage(user, job, 3, jpeg);

        assertThat(stored.key()).endsWith("/" + job + "/3.jpg");
        assertThat(stored.thumbnailKey()).endsWith("/" + job + "/3-thumb.jpg");
        assertThat(stored.contentType()).isEqualTo("image/jpeg");
        assertThat(s3.headObject(r -> r.bucket(BUCKET).key(stored.thumbnailKey()))
                        .contentType())
                .isEqualTo("image/jpeg");
        BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(download(stored.thumbnailKey())));
        assertThat(thumbnail.getWidth()).isEqualTo(171);
        assertThat(thumbnail.getHeight()).isEqualTo(256);
    }

    @Test
    void smallImagesKeepTheirSizeInTheThumbnail() {
        StoredObjects stored = store.storeImage(user, job, 0, S3TestSupport.image("png", 100, 40, false));

        assertThat(stored.thumbnailWidth()).isEqualTo(100);
        assertThat(stored.thumbnailHeight()).isEqualTo(40);
    }

    @Test
    void storingTheSameImageAgainWritesNothing() {
        byte[] png = S3TestSupport.image("png", 800, 600, false);
        StoredObjects first = store.storeImage(user, job, 1, png);
        Instant firstModified =
                s3.headObject(r -> r.bucket(BUCKET).key(first.key())).lastModified();
        counter.reset();

        StoredObjects second = store.storeImage(user, job, 1, png);

        assertThat(counter.puts()).isZero();
        assertThat(second.objectsWritten()).isZero();
        assertThat(second)
                .usingRecursiveComparison()
                .ignoringFields("objectsWritten")
                .isEqualTo(first);
        assertThat(s3.headObject(r -> r.bucket(BUCKET).key(first.key())).lastModified())
                .isEqualTo(firstModified);
        assertThat(keysUnder(S3ImageStore.jobPrefix(user, job)))
                .containsExactlyInAnyOrder(first.key(), first.thumbnailKey());
    }

    @Test
    void aFirstAttemptWritesBothObjectsWithoutLookingForEarlierOnes() {
        byte[] png = S3TestSupport.image("png", 800, 600, false);

        StoredObjects stored = store.storeImage(user, job, 2, png, false);

        assertThat(counter.count("HeadObjectRequest")).isZero();
        assertThat(counter.puts()).isEqualTo(2);
        assertThat(stored.objectsWritten()).isEqualTo(2);
        assertThat(keysUnder(S3ImageStore.jobPrefix(user, job)))
                .containsExactlyInAnyOrder(stored.key(), stored.thumbnailKey());
        counter.reset();

        // The retry of that step looks first, and finds both.
        StoredObjects retry = store.storeImage(user, job, 2, png, true);

        assertThat(counter.count("HeadObjectRequest")).isEqualTo(2);
        assertThat(counter.puts()).isZero();
        assertThat(retry)
                .usingRecursiveComparison()
                .ignoringFields("objectsWritten")
                .isEqualTo(stored);
    }

    @Test
    void aMissingThumbnailIsCompletedOnRetry() {
        byte[] png = S3TestSupport.image("png", 800, 600, false);
        StoredObjects first = store.storeImage(user, job, 0, png);
        s3.deleteObject(r -> r.bucket(BUCKET).key(first.thumbnailKey()));
        counter.reset();

        StoredObjects retry = store.storeImage(user, job, 0, png);

        assertThat(retry.objectsWritten()).isEqualTo(1);
        assertThat(counter.puts()).isEqualTo(1);
        assertThat(keysUnder(S3ImageStore.jobPrefix(user, job)))
                .containsExactlyInAnyOrder(first.key(), first.thumbnailKey());
    }

    @Test
    void differentBytesAtTheSameKeyReplaceTheObject() {
        store.storeImage(user, job, 0, S3TestSupport.image("png", 300, 300, false));
        counter.reset();

        StoredObjects replaced = store.storeImage(user, job, 0, S3TestSupport.image("png", 400, 300, false));

        assertThat(replaced.objectsWritten()).isEqualTo(2);
        assertThat(keysUnder(S3ImageStore.jobPrefix(user, job))).hasSize(2);
    }

    @Test
    void presignedUrlDownloadsTheBytesAndATamperedOneIsRefused() throws Exception {
        byte[] png = S3TestSupport.image("png", 320, 200, false);
        StoredObjects stored = store.storeImage(user, job, 0, png);

        URI url = store.presignGet(stored.key(), Duration.ofMinutes(5));

        assertThat(url.getRawQuery()).contains("X-Amz-Signature=");
        HttpResponse<byte[]> ok =
                http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo(png);

        String signed = url.toString();
        int at = signed.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
        char flipped = signed.charAt(at) == 'a' ? 'b' : 'a';
        URI tampered = URI.create(signed.substring(0, at) + flipped + signed.substring(at + 1));
        HttpResponse<String> refused = http.send(
                HttpRequest.newBuilder(tampered).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(refused.statusCode()).isEqualTo(403);
    }

    @Test
    void presignRefusesNonsense() {
        assertThatThrownBy(() -> store.presignGet("images/a/b/0.png", Duration.ofDays(8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.presignGet(" ", Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLargeImagesThumbnailComesFromASubsampledDecodeWithTheSameSizeAndContent() throws IOException {
        byte[] png = S3TestSupport.image("png", 2050, 1537, false);

        StoredObjects stored = store.storeImage(user, job, 0, png);

        BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(
                s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(stored.thumbnailKey()))
                        .asByteArray()));
        // The size follows the original (256 x 192 from 2050 x 1537), not the subsampled decode.
        assertThat(new int[] {thumbnail.getWidth(), thumbnail.getHeight()}).containsExactly(256, 192);
        assertThat(new int[] {stored.thumbnailWidth(), stored.thumbnailHeight()})
                .containsExactly(256, 192);
        // The dark square in the middle of the test image is where it was.
        assertThat(new java.awt.Color(thumbnail.getRGB(128, 96)).getRed()).isLessThan(90);
        assertThat(new java.awt.Color(thumbnail.getRGB(10, 10)).getRed()).isGreaterThan(180);
    }

    @Test
    void badBytesAreRejectedAndNothingIsWritten() {
        byte[] png = S3TestSupport.image("png", 640, 480, false);
        byte[] truncated = Arrays.copyOf(png, png.length / 2);
        byte[] large = S3TestSupport.image("png", 2048, 1536, false);
        byte[] jpeg = S3TestSupport.image("jpeg", 640, 480, false);
        byte[] largeJpeg = S3TestSupport.image("jpeg", 2048, 1536, false);
        List<byte[]> bad = List.of(
                new byte[0],
                "<html>not an image</html>".getBytes(StandardCharsets.UTF_8),
                S3TestSupport.image("gif", 64, 64, false),
                S3TestSupport.image("bmp", 64, 64, false),
                // a WebP header: no decoder for it on this JVM
                "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1),
                // a PNG signature followed by garbage
                Arrays.copyOf(png, 40),
                truncated,
                // large enough to be decoded subsampled for its thumbnail: the whole stream is still read
                Arrays.copyOf(large, large.length - 64),
                // ImageIO's JPEG reader fills a cut-off scan with grey and only warns
                Arrays.copyOf(jpeg, jpeg.length / 2),
                Arrays.copyOf(largeJpeg, largeJpeg.length * 3 / 4));

        for (byte[] bytes : bad) {
            assertThatThrownBy(() -> store.storeImage(user, job, 0, bytes))
                    .isInstanceOf(ImageRejectedException.class)
                    .satisfies(
                            e -> assertThat(((ImageRejectedException) e).type().name())
                                    .isEqualTo("IMAGE_REJECTED"));
        }
        assertThat(counter.puts()).isZero();
        assertThat(keysUnder(S3ImageStore.jobPrefix(user, job))).isEmpty();
    }

    @Test
    void oversizedImagesAreRejected() {
        S3ImageStore strict = new S3ImageStore(s3, presigner, new ImageStoreSettings(BUCKET, 50_000, 1000, 500_000, 0));

        assertThatThrownBy(() -> strict.storeImage(user, job, 0, S3TestSupport.image("png", 1200, 10, false)))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessageContaining("1200x10");
        assertThatThrownBy(() -> strict.storeImage(user, job, 0, S3TestSupport.image("png", 900, 900, false)))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessageContaining("pixels");
        byte[] noisy = S3TestSupport.image("png", 300, 300, false);
        byte[] big = Arrays.copyOf(noisy, 60_000);
        assertThatThrownBy(() -> strict.storeImage(user, job, 0, big))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessageContaining("bytes");
        assertThat(counter.puts()).isZero();
    }

    @Test
    void keysCannotEscapeTheUsersPrefix() {
        byte[] png = S3TestSupport.image("png", 10, 10, false);
        assertThatThrownBy(() -> store.storeImage("../other", job, 0, png))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.storeImage(user, "a/b", 0, png)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.storeImage("..", job, 0, png)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.storeImage(user, job, -1, png)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deleteAllForUserRemovesOnlyThatUsersObjects() {
        String other = "user-" + UUID.randomUUID();
        byte[] png = S3TestSupport.image("png", 64, 64, false);
        store.storeImage(user, job, 0, png);
        store.storeImage(user, job, 1, png);
        store.storeImage(user, "job-2", 0, png);
        StoredObjects kept = store.storeImage(other, job, 0, png);
        // a user id that is a prefix of another must not take the other with it
        store.storeImage(user + "x", job, 0, png);

        long deleted = store.deleteAllForUser(user);

        assertThat(deleted).isEqualTo(6);
        assertThat(keysUnder(S3ImageStore.userPrefix(user))).isEmpty();
        assertThat(keysUnder(S3ImageStore.userPrefix(other)))
                .containsExactlyInAnyOrder(kept.key(), kept.thumbnailKey());
        assertThat(keysUnder(S3ImageStore.userPrefix(user + "x"))).hasSize(2);
        assertThat(store.deleteAllForUser(user)).isZero();
    }

    @Test
    void deleteAllForUserPagesThroughLargeListings() {
        byte[] tiny = "x".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 1003; i++) {
            String key = S3ImageStore.jobPrefix(user, job) + "extra-" + i;
            s3.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromBytes(tiny));
        }
        List<Long> progress = new ArrayList<>();

        long deleted = store.deleteAllForUser(user, progress::add);

        assertThat(deleted).isEqualTo(1003);
        assertThat(progress).containsExactly(1000L, 1003L);
        assertThat(keysUnder(S3ImageStore.userPrefix(user))).isEmpty();
    }

    @Test
    void publicKeysNameTheJobAndFileButNoUser() {
        assertThat(S3ImageStore.publicKeyOf("images/" + user + "/" + job + "/0.png"))
                .isEqualTo("public/" + job + "-0.png");
        assertThat(S3ImageStore.publicKeyOf("images/" + user + "/" + job + "/1-thumb.jpg"))
                .isEqualTo("public/" + job + "-1-thumb.jpg")
                .doesNotContain(user);
        for (String notAnImage : List.of("public/x.png", "images/u/0.png", "images/u/j/k/0.png", "images/u//0.png")) {
            assertThatThrownBy(() -> S3ImageStore.publicKeyOf(notAnImage))
                    .as(notAnImage)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void copyToPublicMakesAReadableCopyAndRepeatingIsHarmless() {
        byte[] png = S3TestSupport.image("png", 64, 48, false);
        StoredObjects stored = store.storeImage(user, job, 0, png);

        String publicKey = store.copyToPublic(stored.key());
        store.copyToPublic(stored.key());
        String publicThumbnail = store.copyToPublic(stored.thumbnailKey());

        assertThat(publicKey).isEqualTo("public/" + job + "-0.png");
        assertThat(download(publicKey)).isEqualTo(png);
        assertThat(s3.headObject(r -> r.bucket(BUCKET).key(publicKey)).contentType())
                .isEqualTo("image/png");
        assertThat(store.exists(publicThumbnail)).isTrue();
        store.deleteKeys(List.of(publicKey, publicThumbnail, publicKey + "-never-there"));
        assertThat(store.exists(publicKey)).isFalse();
        assertThat(store.exists(stored.key())).as("the private object stays").isTrue();
    }

    @Test
    void deletingAUsersOrAJobsObjectsDeletesTheirPublicCopies() {
        byte[] png = S3TestSupport.image("png", 64, 64, false);
        StoredObjects first = store.storeImage(user, job, 0, png);
        String otherJob = "job-" + UUID.randomUUID();
        StoredObjects other = store.storeImage(user, otherJob, 0, png);
        for (StoredObjects stored : List.of(first, other)) {
            store.copyToPublic(stored.key());
            store.copyToPublic(stored.thumbnailKey());
        }
        // an object of another shape under the prefix is deleted too, and has no public copy to look for
        s3.putObject(r -> r.bucket(BUCKET).key(S3ImageStore.userPrefix(user) + "odd/a/b"), RequestBody.fromBytes(png));

        store.deleteAllForJob(user, job);
        assertThat(keysUnder("public/" + job + "-")).isEmpty();
        assertThat(keysUnder("public/" + otherJob + "-")).hasSize(2);

        store.deleteAllForUser(user);
        assertThat(keysUnder("public/" + otherJob + "-")).isEmpty();
        assertThat(keysUnder(S3ImageStore.userPrefix(user))).isEmpty();
    }

    private static byte[] download(String key) {
        return s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(key)).asByteArray();
    }

    private static List<String> keysUnder(String prefix) {
        return s3.listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(prefix)).contents().stream()
                .map(S3Object::key)
                .toList();
    }
}
