package com.figureforge.workflows;

import io.temporal.common.SearchAttributeKey;

/** Custom search attributes; each must be registered on the namespace before it is used. */
public final class FigureForgeSearchAttributes {

    public static final SearchAttributeKey<String> USER_ID = SearchAttributeKey.forKeyword("FigureForgeUserId");
    public static final SearchAttributeKey<String> JOB_STATUS = SearchAttributeKey.forKeyword("FigureForgeJobStatus");
    public static final SearchAttributeKey<String> PLAN = SearchAttributeKey.forKeyword("FigureForgePlan");

    private FigureForgeSearchAttributes() {}
}
