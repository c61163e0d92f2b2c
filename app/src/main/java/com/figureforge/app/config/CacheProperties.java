package com.figureforge.app.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The API's in-process caches of cheap requests ({@code figureforge.caches.*}, docs/operations.md).
 *
 * @param maxTokens verified access tokens kept (each until its {@code exp})
 * @param userTtl how old a user record a read-only request may answer from; writes of this process
 *     drop it at once, so the TTL bounds only writes of other processes (worker, other replicas)
 * @param maxUsers user records kept
 * @param galleryTtl how long a public gallery page is served from memory, and its {@code max-age}
 * @param maxGalleryPages gallery pages kept (one per limit and cursor)
 */
@ConfigurationProperties("figureforge.caches")
public record CacheProperties(
        int maxTokens, Duration userTtl, int maxUsers, Duration galleryTtl, int maxGalleryPages) {}
