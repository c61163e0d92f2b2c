package com.figureforge.app.generation;

import com.figureforge.app.config.CacheProperties;
import com.figureforge.app.config.FigureForgeProperties;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Public gallery pages kept in memory for {@code figureforge.caches.gallery-ttl}, keyed by limit and
 * cursor, with a strong ETag (the SHA-256 of the page's JSON). Concurrent misses of one page query
 * DynamoDB once. A page may show an image that left the gallery (made private, deleted, removed by a
 * moderator) for up to the TTL here plus the same again in a client's or CDN's cache ({@code max-age}).
 * The presigned URLs inside must outlive that, which the constructor checks.
 */
@Component
class GalleryPages {

    /** A page as served, with its ETag (quoted, strong). */
    record CachedPage(ImagePageView view, String etag) {}

    private record Key(int limit, String cursor) {}

    private final Cache<Key, CachedPage> pages;
    private final Duration ttl;
    private final JsonMapper json;

    @Autowired
    GalleryPages(CacheProperties caches, FigureForgeProperties properties, JsonMapper json) {
        this(caches, properties, json, Ticker.systemTicker());
    }

    GalleryPages(CacheProperties caches, FigureForgeProperties properties, JsonMapper json, Ticker ticker) {
        this.ttl = caches.galleryTtl();
        Duration urlTtl = properties.images().urlTtl();
        if (ttl.multipliedBy(4).compareTo(urlTtl) > 0) {
            throw new IllegalStateException("figureforge.caches.gallery-ttl (" + ttl
                    + ") must be at most a quarter of figureforge.images.url-ttl (" + urlTtl
                    + "): a cached page's presigned URLs must stay valid while it is served and cached");
        }
        this.pages = Caffeine.newBuilder()
                .maximumSize(caches.maxGalleryPages())
                .expireAfterWrite(ttl)
                .ticker(ticker)
                .build();
        this.json = json;
    }

    /** The page from memory, else from {@code query} (run once for concurrent callers). */
    CachedPage page(int limit, String cursor, Supplier<ImagePageView> query) {
        return pages.get(new Key(limit, cursor == null ? "" : cursor), key -> withEtag(query.get()));
    }

    /** How long a client or CDN may keep a page: as long as this cache does. */
    Duration maxAge() {
        return ttl;
    }

    private CachedPage withEtag(ImagePageView view) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(view));
            return new CachedPage(
                    view, "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest) + "\"");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
