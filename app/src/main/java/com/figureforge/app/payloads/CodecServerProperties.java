package com.figureforge.app.payloads;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The codec server on the management port ({@code figureforge.codec-server.*}).
 *
 * @param allowedOrigins origins of the Temporal Web UI whose browser pages may call it (CORS)
 * @param operatorGroup the Cognito group whose tokens may encode and decode (the health details' group)
 * @param maxRequestBytes the largest request body read (Temporal's own payload limit is 2 MiB)
 */
@ConfigurationProperties("figureforge.codec-server")
public record CodecServerProperties(List<String> allowedOrigins, String operatorGroup, int maxRequestBytes) {

    public CodecServerProperties {
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    }
}
