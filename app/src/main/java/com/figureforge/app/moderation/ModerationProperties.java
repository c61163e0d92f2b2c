package com.figureforge.app.moderation;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Reports and review ({@code figureforge.moderation}).
 *
 * @param reportThreshold distinct reports that take a public image out of the gallery until a moderator decides
 * @param moderatorGroup the Cognito group ({@code cognito:groups}) whose members may review reports
 */
@ConfigurationProperties("figureforge.moderation")
public record ModerationProperties(int reportThreshold, String moderatorGroup) {

    public ModerationProperties {
        reportThreshold = reportThreshold < 1 ? 3 : reportThreshold;
        moderatorGroup = moderatorGroup == null || moderatorGroup.isBlank() ? "moderators" : moderatorGroup;
    }
}
