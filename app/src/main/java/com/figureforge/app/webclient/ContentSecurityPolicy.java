package com.figureforge.app.webclient;

import com.figureforge.app.config.FigureForgeProperties;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Set;
import org.springframework.util.StringUtils;

/**
 * The web client's Content-Security-Policy: scripts, styles and connections from the app only (no inline
 * code, nothing from a CDN), images also from the bucket's presigned links and the public images' CDN, and
 * the token endpoint of the sign-in, which the browser calls across origins.
 */
final class ContentSecurityPolicy {

    private ContentSecurityPolicy() {}

    static String of(WebClientProperties webClient, FigureForgeProperties.Aws aws, URI publicImagesBaseUrl) {
        Set<String> images = new LinkedHashSet<>();
        images.add("'self'");
        images.add("data:");
        images.add("blob:");
        if (StringUtils.hasText(aws.s3().endpoint())) {
            images.add(origin(URI.create(aws.s3().endpoint())));
        } else {
            // The presigner's links: virtual-hosted unless path-style is configured.
            images.add(
                    aws.s3().pathStyle()
                            ? "https://s3." + aws.region() + ".amazonaws.com"
                            : "https://" + aws.s3().bucket() + ".s3." + aws.region() + ".amazonaws.com");
        }
        if (publicImagesBaseUrl != null) {
            images.add(origin(publicImagesBaseUrl));
        }
        images.addAll(webClient.imageOrigins());
        Set<String> connections = new LinkedHashSet<>();
        connections.add("'self'");
        if (webClient.tokenUri() != null) {
            connections.add(origin(webClient.tokenUri()));
        }
        return "default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self'"
                + "; img-src " + String.join(" ", images)
                + "; connect-src " + String.join(" ", connections)
                + "; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /** {@code scheme://host[:port]}, as CSP source expressions name an origin. */
    static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    }
}
