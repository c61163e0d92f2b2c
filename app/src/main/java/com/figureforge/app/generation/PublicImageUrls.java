package com.figureforge.app.generation;

import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.app.config.FigureForgeProperties;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;

/**
 * Links to the public copies of images ({@code public/...}, no user id in the key). With a CDN base URL
 * they are plain URLs under it. Otherwise they are presigned GETs signed at the start of the current
 * window ({@link PublicImageProperties#signingWindow()}) instead of now: the same key gets the same URL
 * from every replica for the whole window, so browsers and a CDN in front can cache it.
 *
 * <p>The S3 presigner always signs at the current time, so the URL it makes is used for its address only
 * and signed again with the SDK's SigV4 signer and a fixed signing clock.
 */
@Component
class PublicImageUrls {

    private static final Duration MAX_VALIDITY = Duration.ofDays(7);

    private final S3ImageStore store;
    private final AwsCredentialsProvider credentials;
    private final FigureForgeProperties properties;
    private final PublicImageProperties publicImages;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    PublicImageUrls(
            S3ImageStore store,
            AwsCredentialsProvider credentials,
            FigureForgeProperties properties,
            PublicImageProperties publicImages,
            Clock clock) {
        this.store = store;
        this.credentials = credentials;
        this.properties = properties;
        this.publicImages = publicImages;
        this.clock = clock;
    }

    /** The link to a public object ({@code public/...}). */
    String url(String publicKey) {
        URI base = publicImages.baseUrl();
        if (base != null && !base.toString().isBlank()) {
            String prefix = base.toString().endsWith("/") ? base.toString() : base + "/";
            return prefix + publicKey;
        }
        Duration window = publicImages.signingWindow();
        Duration validity = window.plus(properties.images().urlTtl());
        if (validity.compareTo(MAX_VALIDITY) > 0) {
            validity = MAX_VALIDITY;
        }
        long windowSeconds = window.toSeconds();
        long now = clock.instant().getEpochSecond();
        Instant windowStart = Instant.ofEpochSecond(now - Math.floorMod(now, windowSeconds));
        URI address = unsigned(store.presignGet(publicKey, Duration.ofMinutes(1)));
        Duration signedFor = validity;
        var signed = signer.sign(request -> request.identity(credentials.resolveCredentials())
                .request(SdkHttpRequest.builder()
                        .method(SdkHttpMethod.GET)
                        .uri(address)
                        .build())
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, properties.aws().region())
                .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, signedFor)
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(windowStart, ZoneOffset.UTC)));
        return signed.request().getUri().toString();
    }

    /** The presigned URL without its query: scheme, host and the encoded object path. */
    private static URI unsigned(URI presigned) {
        String raw = presigned.toString();
        int query = raw.indexOf('?');
        return URI.create(query < 0 ? raw : raw.substring(0, query));
    }
}
