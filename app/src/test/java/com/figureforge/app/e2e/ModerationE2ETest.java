package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;

/**
 * Owner controls (visibility, delete), reports, the moderators' review queue, and the privacy of the public
 * gallery: its links point at public copies whose keys name no user.
 */
@FigureForgeE2E
class ModerationE2ETest {

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    UserRepository users;

    @Autowired
    S3Client s3;

    @Autowired
    FigureForgeProperties properties;

    @Autowired
    DynamoDbClient dynamo;

    @Autowired
    ImageRepository images;

    ApiClient api;
    E2ESupport e2e;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        e2e = new E2ESupport(api, issuer, users);
    }

    @Test
    void theGalleryNamesNoOwnerAndLinksRepeatWithinTheSigningWindow() {
        var owner = e2e.newUser("free");
        JsonNode image = storedImage(owner, "public");
        String imageId = image.get("id").asString();
        assertThat(image.get("url").asString())
                .as("the owner's own view is private")
                .contains("/images/");

        var first = api.get("/api/images/gallery/?limit=100", null);
        assertThat(first.body()).as("no owner id anywhere in the gallery").doesNotContain(owner.id());
        JsonNode listed = galleryItem(first.json(), imageId).orElseThrow();
        for (String link : List.of("url", "thumbnail_url")) {
            URI uri = URI.create(listed.get(link).asString());
            assertThat(uri.getPath()).startsWith("/" + bucket() + "/public/" + imageId);
            assertThat(uri.getQuery()).doesNotContain(owner.id());
        }
        assertThat(ApiClient.download(listed.get("url").asString())).startsWith(0x89, 'P', 'N', 'G');
        assertThat(ApiClient.download(listed.get("thumbnail_url").asString())).startsWith(0x89, 'P', 'N', 'G');

        // Signed at the start of the hour, so repeated answers (any replica) give the same URL.
        String url = listed.get("url").asString();
        assertThat(url).containsPattern("X-Amz-Date=\\d{8}T\\d{2}0000Z");
        String again = galleryItem(
                        api.get("/api/images/gallery/?limit=100", null).json(), imageId)
                .orElseThrow()
                .get("url")
                .asString();
        if (amzDate(again).equals(amzDate(url))) {
            assertThat(again).isEqualTo(url);
        }
    }

    @Test
    void aPublicImageStoredBeforePublicCopiesExistedGetsOneOnItsFirstGalleryRead() {
        var owner = e2e.newUser("free");
        String imageId = storedImage(owner, "public").get("id").asString();
        // As stored before this change: listed in the gallery, no public copy, none recorded.
        String table = properties.aws().dynamodb().table();
        dynamo.updateItem(b -> b.tableName(table)
                .key(Map.of("pk", AttributeValue.fromS("IMG#" + imageId), "sk", AttributeValue.fromS("IMG")))
                .updateExpression("REMOVE publicKey, publicThumbnailKey"));
        s3.deleteObjects(b -> b.bucket(bucket())
                .delete(d -> d.objects(
                        o -> o.key("public/" + imageId + ".png"), o -> o.key("public/" + imageId + "-thumb.png"))));
        assertThat(publicObjects(imageId)).isZero();

        var page = api.get("/api/images/gallery/?limit=100", null);

        assertThat(page.body()).doesNotContain(owner.id());
        JsonNode listed = galleryItem(page.json(), imageId).orElseThrow();
        assertThat(URI.create(listed.get("url").asString()).getPath()).contains("/public/" + imageId);
        assertThat(ApiClient.download(listed.get("url").asString())).startsWith(0x89, 'P', 'N', 'G');
        assertThat(publicObjects(imageId)).isEqualTo(2);
        assertThat(images.find(imageId).orElseThrow().publicKey())
                .as("recorded, so later reads copy nothing")
                .isEqualTo("public/" + imageId + ".png");
    }

    @Test
    void aGalleryImageWhoseObjectsAreGoneIsLeftOutAndThePageStillAnswers() {
        var owner = e2e.newUser("free");
        String kept = storedImage(owner, "public").get("id").asString();
        JsonNode broken = storedImage(owner, "public");
        String brokenId = broken.get("id").asString();
        // No public copy recorded and the private objects gone: nothing to copy from.
        String table = properties.aws().dynamodb().table();
        dynamo.updateItem(b -> b.tableName(table)
                .key(Map.of("pk", AttributeValue.fromS("IMG#" + brokenId), "sk", AttributeValue.fromS("IMG")))
                .updateExpression("REMOVE publicKey, publicThumbnailKey"));
        var record = images.find(brokenId).orElseThrow();
        s3.deleteObjects(b ->
                b.bucket(bucket()).delete(d -> d.objects(o -> o.key(record.key()), o -> o.key(record.thumbnailKey()))));

        var page = api.get("/api/images/gallery/?limit=100", null);

        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(galleryItem(page.json(), brokenId)).isEmpty();
        assertThat(galleryItem(page.json(), kept)).isPresent();
        assertThat(page.body()).doesNotContain(owner.id());
    }

    @Test
    void theOwnerMakesAnImagePublicAndPrivateAndTheGalleryFollowsAtOnce() {
        var owner = e2e.newUser("free");
        var other = e2e.newUser("free");
        JsonNode image = storedImage(owner, "private");
        String imageId = image.get("id").asString();
        assertThat(galleryItem(gallery(), imageId)).isEmpty();
        assertThat(publicObjects(imageId)).isZero();

        var published = api.send(
                "PATCH",
                "/api/images/" + imageId + "/",
                owner.token(),
                "application/json",
                "{\"visibility\":\"public\"}");
        assertThat(published.status()).as(published.body()).isEqualTo(200);
        assertThat(published.json().get("id").asString()).isEqualTo(imageId);
        assertThat(published.json().get("visibility").asString()).isEqualTo("public");
        assertThat(galleryItem(gallery(), imageId)).as("listed at once").isPresent();
        assertThat(publicObjects(imageId)).as("image and thumbnail copied").isEqualTo(2);
        var repeated = api.send(
                "PATCH", "/api/images/" + imageId, owner.token(), "application/json", "{\"visibility\":\"public\"}");
        assertThat(repeated.status()).as("idempotent, without the slash too").isEqualTo(200);
        assertThat(repeated.json().get("visibility").asString()).isEqualTo("public");

        assertProblem(patch(other, imageId, "{\"visibility\":\"private\"}"), 404, "image_not_found");
        assertProblem(
                patch(owner, imageId.substring(0, imageId.length() - 1) + "9", "{\"visibility\":\"private\"}"),
                404,
                "image_not_found");
        assertProblem(patch(owner, "not-an-image", "{\"visibility\":\"private\"}"), 404, "image_not_found");
        var invalid = patch(owner, imageId, "{\"visibility\":\"secret\"}");
        assertProblem(invalid, 400, "validation_failed");
        assertThat(invalid.json().get("errors").get(0).get("field").asString()).isEqualTo("visibility");
        assertProblem(patch(owner, imageId, "{}"), 400, "validation_failed");
        assertProblem(patch(owner, imageId, "{\"visibility\":\"public\",\"owner\":\"x\"}"), 400, "unknown_field");
        assertProblem(patch(owner, imageId, "{\"visibility\":"), 400, "malformed_json");

        var hidden = patch(owner, imageId, "{\"visibility\":\"private\"}");
        assertThat(hidden.status()).as(hidden.body()).isEqualTo(200);
        assertThat(hidden.json().get("visibility").asString()).isEqualTo("private");
        assertThat(galleryItem(gallery(), imageId)).as("out at once").isEmpty();
        assertThat(publicObjects(imageId)).as("public copies deleted").isZero();
        assertThat(patch(owner, imageId, "{\"visibility\":\"private\"}").status())
                .isEqualTo(200);
    }

    @Test
    void deletingAnImageRemovesItEverywhereAndIsNotRefunded() {
        var owner = e2e.newUser("free");
        var other = e2e.newUser("free");
        JsonNode image = storedImage(owner, "public");
        String imageId = image.get("id").asString();
        String jobId = image.get("job_id").asString();
        assertThat(publicObjects(imageId)).isEqualTo(2);
        assertThat(privateObjects(owner.id(), jobId)).isEqualTo(2);
        int used = e2e.quota(owner).get("used").asInt();

        assertProblem(api.delete("/api/images/" + imageId + "/", other.token()), 404, "image_not_found");
        assertThat(privateObjects(owner.id(), jobId))
                .as("another user deletes nothing")
                .isEqualTo(2);

        var deleted = api.delete("/api/images/" + imageId + "/", owner.token());
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
        assertThat(publicObjects(imageId)).isZero();
        assertThat(privateObjects(owner.id(), jobId)).isZero();
        assertThat(galleryItem(gallery(), imageId)).isEmpty();
        assertThat(ids(api.get("/api/images/user/", owner.token()).json())).doesNotContain(imageId);
        assertThat(e2e.job(owner, jobId).get("images"))
                .as("the job no longer shows it")
                .isEmpty();
        assertThat(e2e.quota(owner).get("used").asInt()).as("not refunded").isEqualTo(used);
        assertProblem(api.delete("/api/images/" + imageId, owner.token()), 404, "image_not_found");
    }

    @Test
    void reportsTakeAnImageOutOfTheGalleryAndAModeratorRestoresIt() {
        var owner = e2e.newUser("free");
        String imageId = storedImage(owner, "public").get("id").asString();
        var first = e2e.newUser("free");
        var second = e2e.newUser("free");
        var third = e2e.newUser("free");

        assertThat(report(first, imageId, "{\"reason\":\"spam\"}").status()).isEqualTo(204);
        assertThat(report(first, imageId, "{\"reason\":\"hate\"}").status())
                .as("a repeat")
                .isEqualTo(204);
        assertProblem(report(owner, imageId, "{\"reason\":\"spam\"}"), 422, "cannot_report_own_image");
        var invalid = report(second, imageId, "{\"reason\":\"boring\"}");
        assertProblem(invalid, 400, "validation_failed");
        assertThat(invalid.json().get("errors").get(0).get("field").asString()).isEqualTo("reason");
        assertProblem(
                report(second, imageId, "{\"reason\":\"spam\",\"note\":\"" + "x".repeat(501) + "\"}"),
                400,
                "validation_failed");
        assertProblem(report(second, "not-an-image", "{\"reason\":\"spam\"}"), 404, "image_not_found");
        assertThat(report(second, imageId, "{\"reason\":\"violence\",\"note\":\"looks real\"}")
                        .status())
                .isEqualTo(204);
        assertThat(galleryItem(gallery(), imageId))
                .as("two distinct reports (the repeat not counted) are below the threshold of 3")
                .isPresent();

        assertThat(report(third, imageId, "{\"reason\":\"violence\"}").status()).isEqualTo(204);
        assertThat(galleryItem(gallery(), imageId)).as("held for review").isEmpty();
        assertThat(publicObjects(imageId)).as("its public copy is gone").isZero();
        JsonNode own = item(api.get("/api/images/user/", owner.token()).json(), imageId)
                .orElseThrow();
        assertThat(own.get("moderation").asString()).as("the owner sees why").isEqualTo("pending_review");
        assertThat(own.get("visibility").asString()).isEqualTo("public");

        assertProblem(api.get("/api/moderation/reports/", first.token()), 403, "forbidden");
        assertProblem(
                api.post("/api/moderation/reports/" + imageId + "/restore/", owner.token(), ""), 403, "forbidden");
        String moderator = moderatorToken();
        JsonNode review = review(moderator, imageId).orElseThrow();
        assertThat(review.get("report_count").asInt()).isEqualTo(3);
        assertThat(review.get("hidden_at").asString()).isNotBlank();
        assertThat(review.get("reports").valueStream().map(r -> r.get("reason").asString()))
                .containsExactlyInAnyOrder("spam", "violence", "violence");
        assertThat(review.get("reports").valueStream().map(r -> r.get("note").asString()))
                .contains("looks real");
        assertThat(review.toString()).as("reporters are not stored").doesNotContain(first.id(), second.id());

        var restored = api.post("/api/moderation/reports/" + imageId + "/restore/", moderator, "");
        assertThat(restored.status()).as(restored.body()).isEqualTo(200);
        assertThat(restored.json().get("moderation").isNull()).isTrue();
        assertThat(galleryItem(gallery(), imageId)).as("back in the gallery").isPresent();
        assertThat(publicObjects(imageId)).isEqualTo(2);
        assertThat(review(moderator, imageId)).as("out of the queue").isEmpty();
        assertProblem(
                api.post("/api/moderation/reports/" + imageId + "/restore", moderator, ""),
                409,
                "image_not_under_review");
        assertThat(report(first, imageId, "{\"reason\":\"spam\"}").status())
                .as("reports were cleared: the same user may report again")
                .isEqualTo(204);
    }

    @Test
    void aModeratorRemovesAnImageEverywhere() {
        var owner = e2e.newUser("free");
        JsonNode image = storedImage(owner, "public");
        String imageId = image.get("id").asString();
        String jobId = image.get("job_id").asString();
        for (int i = 0; i < 3; i++) {
            assertThat(report(e2e.newUser("free"), imageId, "{\"reason\":\"copyright\"}")
                            .status())
                    .isEqualTo(204);
        }
        String moderator = moderatorToken();
        assertThat(review(moderator, imageId)).isPresent();

        var removed = api.post("/api/moderation/reports/" + imageId + "/remove/", moderator, "");
        assertThat(removed.status()).as(removed.body()).isEqualTo(204);
        assertThat(privateObjects(owner.id(), jobId)).isZero();
        assertThat(publicObjects(imageId)).isZero();
        assertThat(review(moderator, imageId)).isEmpty();
        assertThat(ids(api.get("/api/images/user/", owner.token()).json())).doesNotContain(imageId);
        assertProblem(
                api.post("/api/moderation/reports/" + imageId + "/remove", moderator, ""), 404, "image_not_found");
        assertProblem(report(e2e.newUser("free"), imageId, "{\"reason\":\"spam\"}"), 404, "image_not_found");
    }

    @Test
    void onlyPublicImagesCanBeReported() {
        var owner = e2e.newUser("free");
        String imageId = storedImage(owner, "private").get("id").asString();
        assertProblem(report(e2e.newUser("free"), imageId, "{\"reason\":\"spam\"}"), 404, "image_not_found");
    }

    // ---------------------------------------------------------------------------------------------------------

    private JsonNode storedImage(E2ESupport.User owner, String visibility) {
        String jobId = e2e.startJob(owner, "{\"visibility\":\"" + visibility + "\"}");
        JsonNode job = e2e.awaitFinished(owner, jobId);
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("succeeded");
        return job.get("images").get(0);
    }

    private ApiClient.Response patch(E2ESupport.User user, String imageId, String body) {
        return api.send("PATCH", "/api/images/" + imageId + "/", user.token(), "application/json", body);
    }

    private ApiClient.Response report(E2ESupport.User user, String imageId, String body) {
        return api.post("/api/images/" + imageId + "/report/", user.token(), body);
    }

    private String moderatorToken() {
        return issuer.accessToken(
                "mod-" + UUID.randomUUID().toString().substring(0, 8),
                "figureforge-local",
                List.of("moderators"),
                Duration.ofMinutes(5));
    }

    private Optional<JsonNode> review(String moderator, String imageId) {
        var response = api.get("/api/moderation/reports/?limit=100", moderator);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json()
                .get("items")
                .valueStream()
                .filter(item -> item.get("image").get("id").asString().equals(imageId))
                .findFirst();
    }

    private JsonNode gallery() {
        return api.get("/api/images/gallery/?limit=100", null).json();
    }

    private static Optional<JsonNode> galleryItem(JsonNode page, String imageId) {
        return item(page, imageId);
    }

    private static Optional<JsonNode> item(JsonNode page, String imageId) {
        return page.get("items")
                .valueStream()
                .filter(item -> item.get("id").asString().equals(imageId))
                .findFirst();
    }

    private static List<String> ids(JsonNode page) {
        return page.get("items")
                .valueStream()
                .map(item -> item.get("id").asString())
                .toList();
    }

    private static String amzDate(String url) {
        int at = url.indexOf("X-Amz-Date=") + "X-Amz-Date=".length();
        return url.substring(at, at + 16);
    }

    private String bucket() {
        return properties.aws().s3().bucket();
    }

    private int publicObjects(String imageId) {
        return s3.listObjectsV2(b -> b.bucket(bucket()).prefix("public/" + imageId))
                .keyCount();
    }

    private int privateObjects(String userId, String jobId) {
        return s3.listObjectsV2(b -> b.bucket(bucket()).prefix("images/" + userId + "/" + jobId + "/"))
                .keyCount();
    }
}
