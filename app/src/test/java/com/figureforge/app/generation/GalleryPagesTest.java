package com.figureforge.app.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.app.config.CacheProperties;
import com.figureforge.app.config.FigureForgeProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class GalleryPagesTest {

    private final AtomicLong nanos = new AtomicLong();
    private final AtomicInteger queries = new AtomicInteger();
    private final GalleryPages pages =
            new GalleryPages(caches(Duration.ofSeconds(5)), properties(Duration.ofHours(1)), JSON, nanos::get);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aPageIsQueriedOncePerTtlAndKeyedByLimitAndCursor() {
        var first = pages.page(20, null, () -> query("a"));
        var again = pages.page(20, null, () -> query("b"));
        pages.page(10, null, () -> query("c"));
        pages.page(20, "cursor", () -> query("d"));

        assertThat(again).isSameAs(first);
        assertThat(queries).hasValue(3);

        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        var later = pages.page(20, null, () -> query("e"));
        assertThat(later.view().nextCursor()).isEqualTo("e");
        assertThat(queries).hasValue(4);
    }

    @Test
    void theEtagIsAStrongHashOfTheBody() {
        var a = pages.page(1, null, () -> query("same"));
        var b = pages.page(2, null, () -> query("same"));
        var c = pages.page(3, null, () -> query("other"));

        assertThat(a.etag())
                .startsWith("\"")
                .endsWith("\"")
                .doesNotStartWith("W/")
                .isEqualTo(b.etag());
        assertThat(c.etag()).isNotEqualTo(a.etag());
    }

    @Test
    void presignedUrlsMustOutliveACachedPage() {
        assertThatThrownBy(
                        () -> new GalleryPages(caches(Duration.ofMinutes(20)), properties(Duration.ofHours(1)), JSON))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("url-ttl");
    }

    private ImagePageView query(String marker) {
        queries.incrementAndGet();
        var image = new ImageView(
                "img",
                "job",
                "http://s3/x",
                "http://s3/t",
                64,
                64,
                "image/png",
                1L,
                "prompt",
                "public",
                Instant.parse("2026-11-29T12:00:00Z"),
                null);
        return new ImagePageView(List.of(image), marker);
    }

    private static CacheProperties caches(Duration galleryTtl) {
        return new CacheProperties(10, Duration.ofSeconds(5), 10, galleryTtl, 100);
    }

    private static FigureForgeProperties properties(Duration urlTtl) {
        return new FigureForgeProperties(
                true,
                0,
                null,
                null,
                null,
                null,
                new FigureForgeProperties.Images(urlTtl, 0, 1),
                null,
                null,
                null,
                Map.of());
    }
}
