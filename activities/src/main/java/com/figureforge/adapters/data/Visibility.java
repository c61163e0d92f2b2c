package com.figureforge.adapters.data;

/** Wire values of an image's or a user's default visibility. */
public final class Visibility {

    public static final String PRIVATE = "private";
    public static final String PUBLIC = "public";

    private Visibility() {}

    /** Returns {@code value} if it is {@code private} or {@code public}; throws otherwise. */
    public static String require(String value) {
        if (PRIVATE.equals(value) || PUBLIC.equals(value)) {
            return value;
        }
        throw new IllegalArgumentException("visibility must be 'private' or 'public', was " + value);
    }
}
