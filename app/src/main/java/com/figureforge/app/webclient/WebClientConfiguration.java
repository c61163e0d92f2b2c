package com.figureforge.app.webclient;

import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.generation.PublicImageProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The artists' web client: plain ES modules and CSS under {@code static/}, served by the app at {@code /}
 * with its own Content-Security-Policy, and {@code /config.json} telling it how to sign in.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({WebClientProperties.class, PublicImageProperties.class})
public class WebClientConfiguration {

    /** The page, its files and its configuration: public, and the only paths that carry the client's CSP. */
    public static final String[] PATHS = {"/", "/index.html", "/config.json", "/app/**"};

    static boolean isWebClientPath(String path) {
        return path.equals("/")
                || path.equals("/index.html")
                || path.equals("/config.json")
                || path.startsWith("/app/");
    }

    @Bean
    FilterRegistrationBean<WebClientHeaders> webClientHeaders(
            WebClientProperties webClient, FigureForgeProperties properties, PublicImageProperties publicImages) {
        String policy = ContentSecurityPolicy.of(webClient, properties.aws(), publicImages.baseUrl());
        return new FilterRegistrationBean<>(new WebClientHeaders(policy));
    }
}
