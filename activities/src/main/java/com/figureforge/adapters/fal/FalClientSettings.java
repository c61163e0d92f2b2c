package com.figureforge.adapters.fal;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how {@link FalQueueClient} talks to the fal.ai queue API.
 *
 * @param baseUrl queue base URL; {@code https://queue.fal.run} when null. A local emulator may sit under a
 *     path ({@code http://localhost:8080/fal})
 * @param apiKey sent as {@code Authorization: Key <apiKey>}; when blank no header is sent (local emulator)
 * @param connectTimeout TCP/TLS connect timeout; 5 s when null
 * @param readTimeout limit for a whole exchange (request sent, answer read); 20 s when null. Connect plus read
 *     timeout should stay below the fal activities' start-to-close timeout (30 s)
 */
public record FalClientSettings(URI baseUrl, String apiKey, Duration connectTimeout, Duration readTimeout) {

    public static final URI DEFAULT_BASE_URL = URI.create("https://queue.fal.run");
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(20);

    public FalClientSettings {
        baseUrl = baseUrl == null ? DEFAULT_BASE_URL : stripTrailingSlash(baseUrl);
        String scheme = baseUrl.getScheme();
        if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("fal base URL must be an absolute http(s) URL: " + baseUrl);
        }
        connectTimeout = positive(connectTimeout, DEFAULT_CONNECT_TIMEOUT, "connectTimeout");
        readTimeout = positive(readTimeout, DEFAULT_READ_TIMEOUT, "readTimeout");
    }

    /** Settings for the real fal.ai queue with default timeouts. */
    public static FalClientSettings of(String apiKey) {
        return new FalClientSettings(null, apiKey, null, null);
    }

    boolean hasApiKey() {
        return apiKey != null && !apiKey.isBlank();
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "FalClientSettings[baseUrl=" + baseUrl + ", apiKey=" + (hasApiKey() ? "****" : "<none>")
                + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + "]";
    }

    private static URI stripTrailingSlash(URI uri) {
        String text = uri.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text);
    }

    private static Duration positive(Duration value, Duration fallback, String name) {
        Duration result = Objects.requireNonNullElse(value, fallback);
        if (result.isNegative() || result.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + result);
        }
        return result;
    }
}
