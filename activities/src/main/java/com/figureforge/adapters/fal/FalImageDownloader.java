package com.figureforge.adapters.fal;

import com.figureforge.adapters.storage.ImageRejectedException;
import com.figureforge.workflows.FailureType;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Downloads a generated image from fal's CDN, with a size cap and a deadline for the whole download. Sends no
 * credentials (CDN URLs are public).
 *
 * <ul>
 *   <li>larger than the cap (by {@code Content-Length} or by counting): {@link ImageRejectedException};
 *   <li>404, 410 and other 4xx (the URL expired or never existed): {@code FAL_REQUEST_FAILED};
 *   <li>408, 429, 5xx, I/O errors, timeouts: {@code FAL_UNAVAILABLE}.
 * </ul>
 */
public class FalImageDownloader implements AutoCloseable {

    public static final long DEFAULT_MAX_BYTES = 20L * 1024 * 1024;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final long maxBytes;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param maxBytes largest image accepted
     * @param connectTimeout TCP/TLS connect timeout
     * @param timeout limit for the whole download, headers and body
     */
    public FalImageDownloader(long maxBytes, Duration connectTimeout, Duration timeout) {
        if (maxBytes <= 0 || !connectTimeout.isPositive() || !timeout.isPositive()) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** 20 MiB, 5 s to connect, 60 s in all. */
    public FalImageDownloader() {
        this(DEFAULT_MAX_BYTES, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT);
    }

    public long maxBytes() {
        return maxBytes;
    }

    public byte[] download(String url) {
        URI uri = parse(url);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "image/png, image/jpeg, image/webp;q=0.8")
                .header("User-Agent", "figureforge")
                .GET();
        if ("http".equals(uri.getScheme())) {
            request.version(HttpClient.Version.HTTP_1_1);
        }
        CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(request.build(), BoundedBody.handler(maxBytes));
        HttpResponse<byte[]> response;
        try {
            response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new FalException(
                    FailureType.FAL_UNAVAILABLE, "image download timed out after " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new FalException(FailureType.FAL_UNAVAILABLE, "image download interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof BoundedBody.TooLargeException tooLarge) {
                throw new ImageRejectedException(
                        "the image is larger than the limit of " + tooLarge.limit() + " bytes", tooLarge);
            }
            String what = cause instanceof HttpTimeoutException ? "timed out" : "failed: " + cause;
            throw new FalException(FailureType.FAL_UNAVAILABLE, "image download " + what, cause);
        }
        int status = response.statusCode();
        if (status == 200) {
            return response.body();
        }
        throw new FalException(
                FalAnswers.transientStatus(status) ? FailureType.FAL_UNAVAILABLE : FailureType.FAL_REQUEST_FAILED,
                "image download from " + uri.getHost() + " answered HTTP " + status,
                status,
                null);
    }

    @Override
    public void close() {
        HttpShutdown.soon(http);
    }

    private static URI parse(String url) {
        if (url == null) {
            throw new FalException(FailureType.FAL_REQUEST_FAILED, "fal.ai returned an image without a URL", null);
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new FalException(
                FailureType.FAL_REQUEST_FAILED, "fal.ai returned an image URL we cannot fetch: " + url, null);
    }
}
