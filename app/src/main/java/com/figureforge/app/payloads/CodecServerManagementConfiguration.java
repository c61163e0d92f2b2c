package com.figureforge.app.payloads;

import com.figureforge.workflows.payloads.PayloadKeys;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * The codec server lives on the management port (8081, operators-only network), beside health details:
 * loaded into the management context (listed in {@code META-INF/spring/...ManagementContextConfiguration.imports},
 * kept out of component scanning), so the public API port never serves it. In the worker role the
 * management port is the only port, and it is served there too.
 */
@ManagementContextConfiguration(value = ManagementContextType.ANY, proxyBeanMethods = false)
public class CodecServerManagementConfiguration {

    @Bean
    RouterFunction<ServerResponse> codecServerRoutes(
            ObjectProvider<PayloadKeys> keys, CodecServerProperties properties, JsonMapper json) {
        CodecEndpoint endpoint = new CodecEndpoint(keys.getIfAvailable(), properties, json);
        return RouterFunctions.route()
                .POST("/codec/encode", endpoint::encode)
                .POST("/codec/encode/", endpoint::encode)
                .POST("/codec/decode", endpoint::decode)
                .POST("/codec/decode/", endpoint::decode)
                .build();
    }
}
