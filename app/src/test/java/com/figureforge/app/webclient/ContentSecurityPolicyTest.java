package com.figureforge.app.webclient;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.app.config.FigureForgeProperties;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContentSecurityPolicyTest {

    private static final WebClientProperties HOSTED_UI = new WebClientProperties(
            "app-client",
            URI.create("https://auth.example.com/oauth2/authorize"),
            URI.create("https://auth.example.com/oauth2/token"),
            URI.create("https://auth.example.com/logout"),
            null,
            List.of("https://images.example.net"));

    @Test
    void inProductionImagesComeFromTheBucketsVirtualHostAndTheCdnAndTheOnlyOtherConnectionIsTheTokenEndpoint() {
        String policy = ContentSecurityPolicy.of(
                HOSTED_UI, aws(null, false), URI.create("https://cdn.example.com/some/prefix"));

        assertThat(policy)
                .contains("img-src 'self' data: blob: https://figureforge-images.s3.eu-west-1.amazonaws.com"
                        + " https://cdn.example.com https://images.example.net;")
                .contains("connect-src 'self' https://auth.example.com;")
                .contains("script-src 'self';", "style-src 'self';", "object-src 'none'", "base-uri 'none'")
                .doesNotContain("unsafe");
    }

    @Test
    void aLocalEndpointOrPathStyleBucketIsNamedByItsOriginWithThePort() {
        assertThat(ContentSecurityPolicy.of(HOSTED_UI, aws("http://127.0.0.1:9444", true), null))
                .contains("img-src 'self' data: blob: http://127.0.0.1:9444 https://images.example.net;");
        assertThat(ContentSecurityPolicy.of(HOSTED_UI, aws(null, true), null))
                .contains("img-src 'self' data: blob: https://s3.eu-west-1.amazonaws.com ");
    }

    @Test
    void theDefaultsAskForTheCognitoScopesAndNoExtraImageOrigins() {
        WebClientProperties defaults = new WebClientProperties("c", null, null, null, " ", null);
        assertThat(defaults.scopes()).isEqualTo("openid email profile");
        assertThat(defaults.imageOrigins()).isEmpty();
        assertThat(ContentSecurityPolicy.of(defaults, aws(null, false), null)).contains("connect-src 'self';");
    }

    private static FigureForgeProperties.Aws aws(String s3Endpoint, boolean pathStyle) {
        return new FigureForgeProperties.Aws(
                "eu-west-1",
                false,
                "",
                "",
                new FigureForgeProperties.Aws.DynamoDb("figureforge", null),
                new FigureForgeProperties.Aws.S3("figureforge-images", s3Endpoint, pathStyle));
    }
}
