package com.figureforge.app.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.StringUtils;

/** Everything FigureForge reads from configuration ({@code figureforge.*} in application.yml). */
@ConfigurationProperties("figureforge")
public record FigureForgeProperties(
        boolean apiEnabled,
        int maxRequestBytes,
        Auth auth,
        Generation generation,
        Fal fal,
        Aws aws,
        Images images,
        Gallery gallery,
        Paging paging,
        Billing billing,
        Map<String, Plan> plans) {

    /**
     * @param allowedClientIds Cognito app client ids whose access tokens we accept
     * @param userPoolId the pool account deletion removes users from; blank skips that step
     */
    /**
     * @param reauthenticationWindow how recent a sign-in ({@code auth_time}) must be to delete the account
     */
    public record Auth(List<String> allowedClientIds, String userPoolId, Duration reauthenticationWindow) {}

    /**
     * @param deadline how long fal may take for one job before it times out and is refunded
     * @param promptDenyList words and phrases a free-text prompt may not contain (whole words, any case):
     *     such a request is refused with 422 {@code prompt_not_allowed} before anything is reserved
     */
    public record Generation(
            String modelId,
            Duration deadline,
            boolean enableSafetyChecker,
            String outputFormat,
            List<String> promptDenyList) {}

    /**
     * @param maxConcurrentCalls concurrent fal activities per worker (the fal account's concurrency)
     * @param callsPerSecond fal calls per second across all workers of the task queue
     * @param imageHosts hosts generated images may be downloaded from (subdomains included); nothing else
     *     is fetched, redirects included
     * @param webhookUrl the API's public base URL for fal's completion webhooks; null: the status stream
     * @param jwksUrl fal's webhook signing keys
     * @param webhookTolerance how far a webhook's timestamp may be from our clock
     * @param maxConcurrentStreams status streams a worker follows at once
     */
    public record Fal(
            URI baseUrl,
            String apiKey,
            Duration connectTimeout,
            Duration readTimeout,
            int maxConcurrentCalls,
            double callsPerSecond,
            List<String> imageHosts,
            URI webhookUrl,
            URI jwksUrl,
            Duration webhookTolerance,
            int maxConcurrentStreams) {

        public boolean configured() {
            return StringUtils.hasText(apiKey);
        }
    }

    /**
     * @param createResources create the table and bucket at start-up (local stack and tests)
     * @param accessKeyId static credentials for local stand-ins; blank means the default AWS chain
     */
    public record Aws(
            String region,
            boolean createResources,
            String accessKeyId,
            String secretAccessKey,
            DynamoDb dynamodb,
            S3 s3) {

        public boolean staticCredentials() {
            return StringUtils.hasText(accessKeyId) && StringUtils.hasText(secretAccessKey);
        }

        public record DynamoDb(String table, String endpoint) {}

        public record S3(String bucket, String endpoint, boolean pathStyle) {}
    }

    /**
     * @param maxConcurrentCopies image copies (download, decode, thumbnail) a worker runs at once, whichever
     *     step asked, so that they fit in its heap; also the storage activities it runs at once
     */
    public record Images(Duration urlTtl, long maxDownloadBytes, int maxConcurrentCopies) {}

    /**
     * Stripe access and billing rules. Without a secret key checkout and portal answer 503
     * {@code billing_not_configured} (the local stack points {@code apiBase} at its Stripe emulator).
     *
     * @param stripeSecretKey the API secret key ({@code STRIPE_SECRET_KEY})
     * @param webhookSecret the webhook endpoint's signing secret ({@code STRIPE_WEBHOOK_SECRET})
     * @param apiBase replaces {@code https://api.stripe.com} when set (local emulator, tests)
     * @param maxNetworkRetries the SDK's own retries of a failed request (with idempotency keys)
     * @param successUrl where Checkout sends the browser after paying, unless the request names one
     * @param allowedRedirectOrigins origins a request may name for success, cancel and return URLs
     * @param gracePeriod how long a subscription with a failed payment keeps its plan
     */
    public record Billing(
            String stripeSecretKey,
            String webhookSecret,
            String apiBase,
            Duration connectTimeout,
            Duration readTimeout,
            int maxNetworkRetries,
            String successUrl,
            String cancelUrl,
            String portalReturnUrl,
            List<String> allowedRedirectOrigins,
            Duration gracePeriod) {

        public boolean stripeConfigured() {
            return StringUtils.hasText(stripeSecretKey);
        }

        public boolean webhookConfigured() {
            return StringUtils.hasText(webhookSecret);
        }
    }

    public record Gallery(int shards) {}

    public record Paging(int defaultLimit, int maxLimit) {}

    /**
     * A plan's limits. Numbers and Stripe price ids are configuration, not code.
     *
     * @param monthlyImages images per quota period
     * @param imagesPerJob the cap on {@code num_images}
     * @param inFlightJobs jobs that may be queued or running at once
     */
    public record Plan(
            String displayName,
            int priceCents,
            int monthlyImages,
            int imagesPerJob,
            int inFlightJobs,
            String stripePriceId,
            List<String> features) {}
}
