package com.figureforge.app.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.UserRecord;
import com.figureforge.app.config.CacheProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UserRecordCacheTest {

    private final UserRecordCache cache =
            new UserRecordCache(new CacheProperties(10, Duration.ofMinutes(1), 100, Duration.ofSeconds(5), 10));
    private final AtomicInteger reads = new AtomicInteger();

    @Test
    void aCachedUserIsNotReadAgain() {
        cache.get("u1", () -> read("pro"));
        UserRecord again = cache.get("u1", () -> read("free"));

        assertThat(again.plan()).isEqualTo("pro");
        assertThat(reads).hasValue(1);
    }

    @Test
    void aWriteOfTheUserDropsIt() {
        cache.get("u1", () -> read("pro"));
        cache.written("u1");

        assertThat(cache.get("u1", () -> read("free")).plan()).isEqualTo("free");
        assertThat(reads).hasValue(2);
    }

    @Test
    void aReadThatAWriteOvertookIsNotKept() {
        // The read saw the old plan; the write landed (and dropped the user) before the read returned.
        UserRecord raced = cache.get("u1", () -> {
            UserRecord old = read("pro");
            cache.written("u1");
            return old;
        });

        assertThat(raced.plan()).isEqualTo("pro");
        assertThat(cache.get("u1", () -> read("free")).plan()).isEqualTo("free");
    }

    @Test
    void noUserIsNotKept() {
        cache.get("ghost", () -> {
            reads.incrementAndGet();
            return null;
        });
        cache.get("ghost", () -> read("free"));

        assertThat(reads).hasValue(2);
    }

    private UserRecord read(String plan) {
        reads.incrementAndGet();
        Instant now = Instant.parse("2026-11-29T12:00:00Z");
        return new UserRecord(
                "u1", "u1", null, "u1", plan, "active", "private", null, null, null, now, now, false, null);
    }
}
