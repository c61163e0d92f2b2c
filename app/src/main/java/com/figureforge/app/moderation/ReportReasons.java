package com.figureforge.app.moderation;

import java.util.List;

/** The closed list of reasons a report may give (the validator and the OpenAPI document use it). */
public final class ReportReasons {

    public static final List<String> ALL = List.of("nudity", "violence", "hate", "spam", "copyright", "other");

    private ReportReasons() {}
}
