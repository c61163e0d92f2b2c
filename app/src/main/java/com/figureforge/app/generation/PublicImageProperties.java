package com.figureforge.app.generation;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How public images are linked ({@code figureforge.public-images}; docs/security.md, "Public images").
 *
 * @param baseUrl a CDN (or public bucket website) serving the bucket's {@code public/} prefix: links are then
 *     {@code baseUrl/public/{job}-{index}.{ext}}, unsigned and permanent. Unset: presigned links
 * @param signingWindow presigned links of public images are signed at the start of the current window of
 *     this length, so every request (on every replica) within it gets the same, cacheable URL; each is
 *     valid for the window plus the image URL TTL, so it lasts at least that TTL after it was handed out
 */
@ConfigurationProperties("figureforge.public-images")
public record PublicImageProperties(URI baseUrl, Duration signingWindow) {

    public PublicImageProperties {
        signingWindow = signingWindow == null || signingWindow.toSeconds() < 1 ? Duration.ofHours(1) : signingWindow;
    }
}
