package com.figureforge.adapters.data;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A variation set as stored: item {@code USER#{userId}} / {@code VSET#{setId}}. One job per value,
 * {@code jobIds.get(i)} rendering {@code values.get(i)}; the jobs themselves are ordinary job items.
 *
 * @param vary the swept control's wire name, e.g. {@code lighting}
 * @param requestJson the base request as accepted (defaults filled in, seed drawn), without the swept
 *     control
 */
public record VariationSetRecord(
        String setId,
        String userId,
        String vary,
        List<String> values,
        List<String> jobIds,
        long seed,
        int numImages,
        String requestJson,
        Instant createdAt) {

    public VariationSetRecord {
        Objects.requireNonNull(setId, "setId");
        Objects.requireNonNull(userId, "userId");
        values = List.copyOf(values);
        jobIds = List.copyOf(jobIds);
        if (values.size() != jobIds.size()) {
            throw new IllegalArgumentException("one job per value");
        }
    }
}
