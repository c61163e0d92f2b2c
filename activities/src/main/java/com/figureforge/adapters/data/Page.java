package com.figureforge.adapters.data;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param nextCursor opaque cursor for the next page, {@code null} when this is the last page
 */
public record Page<T>(List<T> items, String nextCursor) {

    public Page {
        items = List.copyOf(items);
    }

    public boolean hasMore() {
        return nextCursor != null;
    }
}
