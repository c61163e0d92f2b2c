package com.figureforge.app.generation;

import java.util.List;

/** One page of images; pass {@code next_cursor} back as {@code cursor} for the next (null at the end). */
public record ImagePageView(List<ImageView> items, String nextCursor) {}
