package com.figureforge.adapters.data;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Paging cursors: URL-safe Base64 (no padding) of a version tag and the last returned image sort key
 * ({@code IMG#{millis}#{imageId}}). The position alone is enough to resume, so page n costs what page 1
 * costs.
 */
final class Cursors {

    private static final String VERSION = "1:";
    private static final int MAX_LENGTH = 1024;

    private Cursors() {}

    static String encode(String imageSortKey) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((VERSION + imageSortKey).getBytes(StandardCharsets.UTF_8));
    }

    /** The image sort key in a cursor; {@code null} for a {@code null} (first page) cursor. */
    static String decode(String cursor) {
        if (cursor == null) {
            return null;
        }
        if (cursor.isEmpty() || cursor.length() > MAX_LENGTH) {
            throw new InvalidCursorException("invalid cursor");
        }
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            throw new InvalidCursorException("invalid cursor");
        }
        if (!decoded.startsWith(VERSION) || !Keys.isImageSortKey(decoded.substring(VERSION.length()))) {
            throw new InvalidCursorException("invalid cursor");
        }
        return decoded.substring(VERSION.length());
    }
}
