package com.figureforge.app.web;

import com.figureforge.adapters.data.ImageRecord;
import com.figureforge.app.generation.FigureControls;
import com.figureforge.app.moderation.ReportReasons;
import com.figureforge.workflows.generation.JobStatus;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

/**
 * Makes the schemas as exact as the wire: the problem schema (codes from {@link ErrorCode}); answers
 * always carry every member (nulls are written), so each answer schema requires all of them and only the
 * members listed here may be null; request bodies reject unknown members (a 400 {@code unknown_field});
 * members with a closed set of values list them.
 */
@Component
@SuppressWarnings({"rawtypes", "unchecked"})
class ApiSchemasCustomizer implements OpenApiCustomizer {

    /** Answer members that can be null, by schema; every other answer member is always a value. */
    private static final Map<String, Set<String>> NULLABLE = Map.ofEntries(
            Map.entry("UserView", Set.of("email", "display_name", "default_visibility")),
            Map.entry(
                    "JobView",
                    Set.of("request", "prompt", "error", "progress", "started_at", "finished_at", "refunded")),
            Map.entry("JobError", Set.of("message")),
            Map.entry("Progress", Set.of("fal_status", "queue_position")),
            Map.entry("ImageView", Set.of("prompt", "moderation")),
            Map.entry("ImagePageView", Set.of("next_cursor")),
            Map.entry("ReviewPageView", Set.of("next_cursor")),
            Map.entry("ReportView", Set.of("note")),
            Map.entry("ChangeView", Set.of("effective_at", "subscription_status")),
            Map.entry("SyncView", Set.of("subscription_status", "period_start", "period_end")),
            Map.entry("VariationSetView", Set.of("request")),
            Map.entry("Variation", Set.of("prompt", "error")));

    @Override
    public void customise(OpenAPI openApi) {
        Map<String, Schema> schemas = openApi.getComponents().getSchemas();
        schemas.put("Problem", problem());
        schemas.put("FieldError", fieldError());
        Set<String> answers = new HashSet<>();
        Set<String> requests = new HashSet<>();
        openApi.getPaths().values().stream()
                .flatMap(path -> path.readOperations().stream())
                .forEach(operation -> {
                    operation.getResponses().forEach((status, response) -> {
                        if (status.startsWith("2") && response.getContent() != null) {
                            response.getContent().values().forEach(media -> collect(media, schemas, answers));
                        }
                    });
                    if (operation.getRequestBody() != null
                            && operation.getRequestBody().getContent() != null) {
                        operation
                                .getRequestBody()
                                .getContent()
                                .values()
                                .forEach(media -> collect(media, schemas, requests));
                    }
                });
        answers.forEach(name -> exactAnswer(name, schemas.get(name)));
        requests.forEach(name -> schemas.get(name).setAdditionalProperties(false));
        closedSets(schemas);
    }

    /** Members that take one of a fixed set of values list it (the validators use the same sets). */
    private static void closedSets(Map<String, Schema> schemas) {
        FigureControls.ALL.forEach(
                (field, vocabulary) -> oneOf(schemas, "GenerationRequest", field, vocabulary.keySet()));
        FigureControls.ALL.forEach(
                (field, vocabulary) -> oneOf(schemas, "VariationSetRequest", field, vocabulary.keySet()));
        for (String[] member : new String[][] {
            {"GenerationRequest", "visibility"},
            {"VariationSetRequest", "visibility"},
            {"ImageView", "visibility"},
            {"UserView", "default_visibility"},
            {"ProfileUpdate", "default_visibility"}
        }) {
            oneOf(schemas, member[0], member[1], FigureControls.VISIBILITY);
        }
        oneOf(schemas, "VisibilityChange", "visibility", FigureControls.VISIBILITY);
        oneOf(schemas, "ImageView", "moderation", List.of(ImageRecord.PENDING_REVIEW));
        oneOf(schemas, "ReportRequest", "reason", ReportReasons.ALL);
        oneOf(
                schemas,
                "JobView",
                "status",
                Arrays.stream(JobStatus.values()).map(JobStatus::wire).toList());
        oneOf(
                schemas,
                "Variation",
                "status",
                Arrays.stream(JobStatus.values()).map(JobStatus::wire).toList());
    }

    private static void oneOf(Map<String, Schema> schemas, String schema, String member, Collection<String> values) {
        Schema<?> property = schemas.get(schema) == null || schemas.get(schema).getProperties() == null
                ? null
                : (Schema<?>) schemas.get(schema).getProperties().get(member);
        if (property == null) {
            throw new IllegalStateException(schema + " has no member " + member);
        }
        List<Object> allowed = new ArrayList<>(values);
        if (property.getTypes() != null && property.getTypes().contains("null")) {
            allowed.add(null);
        }
        property.setEnum(null);
        allowed.forEach(value -> ((Schema<Object>) property).addEnumItemObject(value));
    }

    private static void exactAnswer(String name, Schema<?> schema) {
        if (schema.getProperties() == null || schema.getRequired() != null) {
            return; // free-form, or declared by hand (OpenApiConfiguration) with its own required members
        }
        schema.setRequired(new ArrayList<>(schema.getProperties().keySet()));
        for (String member : NULLABLE.getOrDefault(name, Set.of())) {
            Schema<?> property = schema.getProperties().get(member);
            if (property == null) {
                throw new IllegalStateException(name + " has no member " + member + " to make nullable");
            }
            if (property.get$ref() != null) {
                schema.getProperties()
                        .put(
                                member,
                                new JsonSchema()
                                        .anyOf(List.of(
                                                property,
                                                new JsonSchema()
                                                        .types(new java.util.LinkedHashSet<>(Set.of("null"))))));
            } else {
                Set<String> types = new HashSet<>(Objects.requireNonNullElse(property.getTypes(), Set.of()));
                types.add("null");
                property.setTypes(types);
            }
        }
    }

    /** Adds the component schema this media type refers to, and every one it refers to in turn. */
    private static void collect(MediaType media, Map<String, Schema> schemas, Set<String> names) {
        walk(media.getSchema(), schemas, names);
    }

    private static void walk(Schema<?> schema, Map<String, Schema> schemas, Set<String> names) {
        if (schema == null) {
            return;
        }
        if (schema.get$ref() != null) {
            String name = schema.get$ref().substring(schema.get$ref().lastIndexOf('/') + 1);
            if (names.add(name)) {
                walk(schemas.get(name), schemas, names);
            }
            return;
        }
        Stream.of(
                        schema.getProperties() == null
                                ? Stream.<Schema>empty()
                                : schema.getProperties().values().stream(),
                        Stream.of(schema.getItems()),
                        schema.getAllOf() == null ? Stream.<Schema>empty() : schema.getAllOf().stream(),
                        schema.getAnyOf() == null ? Stream.<Schema>empty() : schema.getAnyOf().stream())
                .flatMap(s -> s)
                .forEach(s -> walk(s, schemas, names));
    }

    private static Schema<?> problem() {
        return new JsonSchema()
                .types(new java.util.LinkedHashSet<>(Set.of("object")))
                .description("RFC 9457 problem details with a stable, machine-readable `code`.")
                .required(List.of("type", "title", "status", "detail", "code"))
                .addProperty(
                        "type",
                        string("A URI naming the kind of problem, one per code").format("uri"))
                .addProperty("title", string("A short summary of the kind of problem"))
                .addProperty(
                        "status",
                        new JsonSchema()
                                .types(new java.util.LinkedHashSet<>(Set.of("integer")))
                                .description("The HTTP status"))
                .addProperty("detail", string("What went wrong with this request"))
                .addProperty("instance", string("The request path").format("uri-reference"))
                .addProperty(
                        "code",
                        string("Stable code to act on")
                                ._enum(new ArrayList<Object>(Arrays.stream(ErrorCode.values())
                                        .map(ErrorCode::code)
                                        .toList())))
                .addProperty(
                        "errors",
                        new JsonSchema()
                                .types(new java.util.LinkedHashSet<>(Set.of("array")))
                                .description("For validation problems: one entry per invalid field")
                                .items(new JsonSchema().$ref("#/components/schemas/FieldError")))
                .addProperty(
                        "portal_url",
                        string("With `already_subscribed`: a Stripe Billing Portal session to manage the plan")
                                .format("uri"));
    }

    private static Schema<?> fieldError() {
        return new JsonSchema()
                .types(new java.util.LinkedHashSet<>(Set.of("object")))
                .description("One invalid field of a request, by its JSON (snake_case) name or header name.")
                .required(List.of("field", "message"))
                .additionalProperties(false)
                .addProperty("field", string("The field, e.g. `display_name`"))
                .addProperty("message", string("What is wrong with it"));
    }

    private static Schema<Object> string(String description) {
        return new JsonSchema()
                .types(new java.util.LinkedHashSet<>(Set.of("string")))
                .description(description);
    }
}
