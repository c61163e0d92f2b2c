package com.figureforge.adapters.fal;

import java.net.http.HttpClient;
import java.time.Duration;

/** How the fal clients close their {@link HttpClient}: shutdown must not hang on a slow peer. */
final class HttpShutdown {

    private static final Duration GRACE = Duration.ofSeconds(2);

    private HttpShutdown() {}

    /** Lets exchanges in flight finish for a moment, then aborts them. */
    static void soon(HttpClient http) {
        http.shutdown();
        try {
            if (!http.awaitTermination(GRACE)) {
                http.shutdownNow();
            }
        } catch (InterruptedException e) {
            http.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
