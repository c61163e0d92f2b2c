package com.figureforge.app.users;

import com.figureforge.adapters.data.UserRecord;
import com.figureforge.app.config.CacheProperties;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * User records as read in the last {@code figureforge.caches.user-ttl}, for requests that only read
 * (the profile, job status, listings, the rate limiter's plan lookup). Every write of a profile through
 * this process's {@code UserRepository} drops the user at once ({@link #written}); writes elsewhere (the
 * worker role, another replica) show within the TTL. Requests that change something never answer from
 * here: {@link CurrentUserResolver} reads them fresh, so a quota reservation is always decided on the
 * plan and period as stored (docs/operations.md, "Caches").
 */
public class UserRecordCache {

    private final Cache<String, UserRecord> records;
    /** Counts writes: a record read before a write that finished after it is never cached. */
    private final AtomicLong writes = new AtomicLong();

    public UserRecordCache(CacheProperties properties) {
        this.records = Caffeine.newBuilder()
                .maximumSize(properties.maxUsers())
                .expireAfterWrite(properties.userTtl())
                .build();
    }

    /**
     * The cached record, else {@code read} (a strongly consistent read; {@code null} for no user, which
     * is not kept), kept unless a write raced it.
     */
    public UserRecord get(String userId, Supplier<UserRecord> read) {
        UserRecord cached = records.getIfPresent(userId);
        if (cached != null) {
            return cached;
        }
        long before = writes.get();
        UserRecord fresh = read.get();
        if (fresh != null && writes.get() == before) {
            records.put(userId, fresh);
        }
        return fresh;
    }

    /** Called after every write of a user's profile in this process. */
    public void written(String userId) {
        writes.incrementAndGet();
        records.invalidate(userId);
    }
}
