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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Downloads a generated image from fal's CDN, with a size cap and a deadline for the whole download. Sends no
 * credentials (CDN URLs are public). Only hosts on the allow-list are fetched, and redirects are followed
 * (at most {@value #MAX_REDIRECTS}) only to hosts on it: an image URL in fal's answer must not make the
 * worker fetch from anywhere else (an internal address, a metadata service).
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
    /** fal's hosts: the CDN ({@code fal.media}, {@code v3.fal.media}) and its other domains, with subdomains. */
    public static final List<String> FAL_HOSTS = List.of("fal.media", "fal.run", "fal.ai");

    static final int MAX_REDIRECTS = 3;

    private final long maxBytes;
    private final Duration timeout;
    private final HttpClient http;
    private final List<String> allowedHosts;

    /**
     * @param maxBytes largest image accepted
     * @param connectTimeout TCP/TLS connect timeout
     * @param timeout limit for the whole download, headers and body
     * @param allowedHosts hosts images may come from; each also allows its subdomains
     */
    public FalImageDownloader(long maxBytes, Duration connectTimeout, Duration timeout, List<String> allowedHosts) {
        if (maxBytes <= 0 || !connectTimeout.isPositive() || !timeout.isPositive()) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (allowedHosts == null || allowedHosts.isEmpty()) {
            throw new IllegalArgumentException("at least one allowed host is needed");
        }
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.allowedHosts = allowedHosts.stream()
                .map(host -> host.strip().toLowerCase(Locale.ROOT))
                .toList();
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** 20 MiB, 5 s to connect, 60 s in all, fal's hosts only. */
    public FalImageDownloader() {
        this(DEFAULT_MAX_BYTES, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, FAL_HOSTS);
    }

    public long maxBytes() {
        return maxBytes;
    }

    public byte[] download(String url) {
        URI uri = allowed(parse(url));
        for (int redirects = 0; ; redirects++) {
            HttpResponse<byte[]> response = fetch(uri);
            int status = response.statusCode();
            if (status == 200) {
                return response.body();
            }
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            if (redirect && redirects < MAX_REDIRECTS) {
                String location = response.headers().firstValue("Location").orElse(null);
                uri = allowed(
                        parse(location == null ? null : uri.resolve(location).toString()));
                continue;
            }
            throw new FalException(
                    FalAnswers.transientStatus(status) ? FailureType.FAL_UNAVAILABLE : FailureType.FAL_REQUEST_FAILED,
                    "image download from " + uri.getHost() + " answered HTTP " + status,
                    status,
                    null);
        }
    }

    /** A host off the allow-list is refused for good: fal's answer will not change on a retry. */
    private URI allowed(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        for (String allowed : allowedHosts) {
            if (host.equals(allowed) || host.endsWith("." + allowed)) {
                return uri;
            }
        }
        throw new FalException(
                FailureType.FAL_REQUEST_FAILED, "image URL on a host that is not fal's: " + uri.getHost(), null);
    }

    private HttpResponse<byte[]> fetch(URI uri) {
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
        return response;
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
