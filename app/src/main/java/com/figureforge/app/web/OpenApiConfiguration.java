package com.figureforge.app.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's header and the bearer scheme the secured operations refer to. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI figureForgeOpenApi() {
        return new OpenAPI()
                .info(
                        new Info()
                                .title("FigureForge API")
                                .version("v1")
                                .description(
                                        "AI figure-drawing references. JSON bodies are snake_case; errors are RFC 9457"
                                                + " problem JSON with a stable `code`. Every route also answers with a trailing slash."))
                .components(new Components()
                        .addSecuritySchemes(
                                "bearer",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .bearerFormat("JWT")
                                        .description("A Cognito access token (token_use = access).")));
    }
}
