package com.figureforge.adapters.data;

import java.time.Instant;

/**
 * What is left of a deleted account: item {@code USER#{id}} / {@code TOMBSTONE}, holding nothing but
 * two times (no username, email, Stripe id or other personal data). It exists from the first step of
 * the deletion, so that a request arriving once the profile is gone cannot create the user again.
 *
 * @param requestedAt when the user asked for the deletion
 * @param deletedAt when the deletion finished; {@code null} while it is still running
 */
public record AccountTombstone(String userId, Instant requestedAt, Instant deletedAt) {

    /** Whether the deletion has finished (every item, object and the login are gone). */
    public boolean completed() {
        return deletedAt != null;
    }
}
