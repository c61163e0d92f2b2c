package com.figureforge.app.payloads;

import com.figureforge.workflows.payloads.ConfiguredPayloadKeys;
import com.figureforge.workflows.payloads.PayloadEncryption;
import com.figureforge.workflows.payloads.PayloadJson;
import com.figureforge.workflows.payloads.PayloadKeys;
import io.temporal.common.converter.DataConverter;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * Every Temporal client and worker of the process (api, worker and the local one-process stack alike)
 * converts payloads with this data converter: the Temporal Spring Boot starter takes the single
 * {@code DataConverter} bean (named {@code mainDataConverter} should another appear) for its client,
 * its workers and the in-process test server. With a {@link PayloadKeys} bean it encrypts; without, it is
 * Temporal's default converter, its JSON buffers pooled ({@link PayloadJson}).
 *
 * <p>A KMS-backed key provider replaces the configured keys by being a {@link PayloadKeys} bean itself.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({PayloadEncryptionProperties.class, CodecServerProperties.class})
class PayloadEncryptionConfiguration {

    private static final Logger log = LoggerFactory.getLogger(PayloadEncryptionConfiguration.class);

    @Bean
    @ConditionalOnMissingBean(PayloadKeys.class)
    @ConditionalOnExpression("'${figureforge.payload-encryption.key:}' != ''")
    PayloadKeys configuredPayloadKeys(PayloadEncryptionProperties properties) {
        return new ConfiguredPayloadKeys(properties.keyId(), properties.key(), properties.retired());
    }

    @Bean
    DataConverter mainDataConverter(ObjectProvider<PayloadKeys> keys) {
        PayloadKeys available = keys.getIfAvailable();
        if (available == null) {
            log.warn("Temporal payloads are NOT encrypted: no payload key is configured (PAYLOAD_KEY)");
            return PayloadJson.dataConverter();
        }
        log.info(
                "Temporal payloads are encrypted (AES-256-GCM) with key id {}",
                available.encryptionKey().id());
        return PayloadEncryption.dataConverter(available);
    }

    /** CORS for the codec server only: the Temporal Web UI calls it from the operator's browser. */
    @Bean
    CorsConfigurationSource corsConfigurationSource(CodecServerProperties codec) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(codec.allowedOrigins());
        cors.setAllowedMethods(List.of("POST", "OPTIONS"));
        cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "X-Namespace"));
        cors.setAllowCredentials(true);
        cors.setMaxAge(Duration.ofHours(1));
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/codec/**", cors);
        return source;
    }
}
