package com.figureforge.app.generation;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Job ids are time-ordered UUIDs (version 7): the first 48 bits are the Unix time in milliseconds.
 * The time lets the in-flight reconciliation tell a reservation whose request died long ago from
 * one whose request is still between reserving and recording the job.
 */
public final class JobIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private JobIds() {}

    public static String issue(Instant at) {
        long millis = at.toEpochMilli();
        long most = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
        long least = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(most, least).toString();
    }

    /** When the id was issued, if it is one of ours (version 7). */
    public static Optional<Instant> issuedAt(String jobId) {
        try {
            UUID uuid = UUID.fromString(jobId);
            if (uuid.version() != 7) {
                return Optional.empty();
            }
            return Optional.of(Instant.ofEpochMilli(uuid.getMostSignificantBits() >>> 16));
        } catch (IllegalArgumentException notAUuid) {
            return Optional.empty();
        }
    }
}
