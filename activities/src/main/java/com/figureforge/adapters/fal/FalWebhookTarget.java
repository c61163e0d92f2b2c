package com.figureforge.adapters.fal;

import java.net.URI;
import java.util.Optional;

/**
 * Where fal delivers a job's completion webhook: {@code {publicBaseUrl}/api/webhooks/fal/?job=<job id>}.
 * The job id in the URL picks the job; the signed request id in the delivery must still be that job's
 * fal request, so the URL alone proves nothing.
 *
 * @param publicBaseUrl the API's public base URL as fal reaches it ({@code FAL_WEBHOOK_URL}); null when
 *     fal cannot reach us (the local stack, a private deployment): then no webhook is registered and the
 *     workflow follows the status stream instead
 */
public record FalWebhookTarget(URI publicBaseUrl) {

    public static final String PATH = "/api/webhooks/fal/";

    public FalWebhookTarget {
        if (publicBaseUrl != null) {
            String text = publicBaseUrl.toString();
            while (text.endsWith("/")) {
                text = text.substring(0, text.length() - 1);
            }
            publicBaseUrl = text.isEmpty() ? null : URI.create(text);
        }
        if (publicBaseUrl != null
                && (publicBaseUrl.getHost() == null
                        || !"https".equalsIgnoreCase(publicBaseUrl.getScheme())
                                && !"http".equalsIgnoreCase(publicBaseUrl.getScheme()))) {
            throw new IllegalArgumentException("the fal webhook base URL must be an absolute http(s) URL");
        }
    }

    /** The webhook URL of one job, when webhooks are configured. */
    public Optional<URI> forJob(String jobId) {
        return Optional.ofNullable(publicBaseUrl).map(base -> URI.create(base + PATH + "?job=" + jobId));
    }
}
