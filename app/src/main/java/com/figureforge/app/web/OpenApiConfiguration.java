package com.figureforge.app.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.figureforge.app.users.CurrentUser;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Contact;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's header, tags and the bearer scheme. Responses and security per operation come
 * from {@link ProblemResponsesCustomizer}, exact schemas from {@link ApiSchemasCustomizer}; the lint in
 * CI ({@code .ci/lint-openapi}) and the end-to-end tests (every answer checked) keep it true.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static {
        // The caller is resolved from the token, not sent as a parameter.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(CurrentUser.class);
        // A job's stored request: the accepted generation request as free-form JSON.
        SpringDocUtils.getConfig()
                .replaceWithSchema(
                        tools.jackson.databind.JsonNode.class,
                        new JsonSchema()
                                .types(new LinkedHashSet<>(Set.of("object")))
                                .description("The generation request as accepted, with defaults filled in"));
    }

    /** Schemas use the wire's snake_case names (the API's Jackson 3 mapper is not the one swagger reads). */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE))
                .openapi31(true);
    }

    @Bean
    OpenAPI figureForgeOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("FigureForge API")
                        .version("v1")
                        .contact(new Contact().name("FigureForge").url("https://figureforge.app"))
                        .description("AI figure-drawing references. JSON bodies are snake_case; errors are RFC 9457"
                                + " problem JSON (`application/problem+json`) with a stable `code`, listed per"
                                + " route and status. Every route also answers with a trailing slash"
                                + " (`/api/auth/user` and `/api/auth/user/`)."))
                .servers(List.of(new Server().url("/").description("The server this document is served from")))
                .tags(List.of(
                        new Tag().name("Account").description("The caller's profile, plan and quota; account deletion"),
                        new Tag()
                                .name("Images")
                                .description("Generation jobs, the caller's images, the public gallery"),
                        new Tag()
                                .name("Moderation")
                                .description("Reporting public images; the moderators' review queue"),
                        new Tag()
                                .name("Subscriptions")
                                .description("Plans, Stripe Checkout and Billing Portal, plan changes"),
                        new Tag().name("Webhooks").description("Signed callbacks from Stripe")))
                .components(new Components()
                        .addSchemas(
                                "AccountDeletion",
                                new JsonSchema()
                                        .types(new LinkedHashSet<>(Set.of("object")))
                                        .required(List.of("status"))
                                        .additionalProperties(false)
                                        .addProperty(
                                                "status",
                                                new JsonSchema()
                                                        .types(new LinkedHashSet<>(Set.of("string")))
                                                        ._enum(List.of("deleting"))))
                        .addSchemas(
                                "WebhookReceipt",
                                new JsonSchema()
                                        .types(new LinkedHashSet<>(Set.of("object")))
                                        .description("The event was received: handled (false when it needs nothing"
                                                + " from us) or a duplicate of one already processed")
                                        .required(List.of("received"))
                                        .additionalProperties(false)
                                        .addProperty("received", bool())
                                        .addProperty("handled", bool())
                                        .addProperty("duplicate", bool()))
                        .addSecuritySchemes(
                                ProblemResponsesCustomizer.BEARER,
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .bearerFormat("JWT")
                                        .description("A Cognito access token (token_use = access).")));
    }

    private static JsonSchema bool() {
        return (JsonSchema) new JsonSchema().types(new LinkedHashSet<>(Set.of("boolean")));
    }
}
