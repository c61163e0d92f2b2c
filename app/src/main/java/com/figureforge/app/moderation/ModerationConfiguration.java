package com.figureforge.app.moderation;

import com.figureforge.app.generation.PublicImageProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds the settings of reports, review and public image links. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ModerationProperties.class, PublicImageProperties.class})
class ModerationConfiguration {}
