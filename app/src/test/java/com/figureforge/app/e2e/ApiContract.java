package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.OpenApi31;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The served OpenAPI document as a contract: every answer of an {@code /api/} route must be a status the
 * document lists for that operation, with a body valid against the schema it declares for that status and
 * media type (problem JSON for errors). A request no operation matches must be a 404 or 405 problem.
 */
final class ApiContract {

    private static final String DOCUMENT = "https://figureforge.test/openapi.json";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private record Route(String template, Pattern pattern) {}

    ApiContract(String documentJson) {
        this.document = JSON.readTree(documentJson);
        this.registry = SchemaRegistry.withDefaultDialect(
                OpenApi31.getInstance(), b -> b.schemas(Map.of(DOCUMENT, documentJson)));
        for (String template : document.get("paths").propertyNames()) {
            routes.add(new Route(template, Pattern.compile(template.replaceAll("\\{[^/]+}", "[^/]+"))));
        }
    }

    /** Fails the test when the answer is not one the document describes for this request. */
    void check(String method, String rawPath, ApiClient.Response response) {
        String path = rawPath.length() > 1 ? rawPath.replaceAll("/+$", "") : rawPath;
        if (!path.startsWith("/api/")) {
            return; // probes, actuator, the document itself: not part of the API contract
        }
        String what = method + " " + rawPath + " answered " + response.status() + " " + response.body();
        String operationMethod = method.toLowerCase(Locale.ROOT);
        // A literal segment beats a variable, as in Spring MVC: /api/images/gallery is not /api/images/{id}.
        String template = routes.stream()
                .filter(r -> r.pattern().matcher(path).matches())
                .map(Route::template)
                .sorted(Comparator.comparingLong(
                        t -> t.chars().filter(c -> c == '{').count()))
                .findFirst()
                .orElse(null);
        JsonNode operation =
                template == null ? null : document.get("paths").get(template).get(operationMethod);
        if (operation == null) {
            assertThat(response.status()).as("no operation for " + what).isIn(404, 405);
            assertValid(DOCUMENT + "#/components/schemas/Problem", response, what);
            assertThat(mediaType(response)).as(what).isEqualTo("application/problem+json");
            return;
        }
        String status = String.valueOf(response.status());
        JsonNode declared = operation.get("responses").get(status);
        assertThat(declared)
                .as(
                        "%s: status not in the document for %s %s (it lists %s)",
                        what, method, template, operation.get("responses").propertyNames())
                .isNotNull();
        JsonNode content = declared.get("content");
        if (content == null || content.isEmpty()) {
            assertThat(response.body())
                    .as(what + ": the document declares no body")
                    .isEmpty();
            return;
        }
        String mediaType = mediaType(response);
        assertThat(content.has(mediaType))
                .as("%s: media type %s not in the document (it lists %s)", what, mediaType, content.propertyNames())
                .isTrue();
        assertValid(
                DOCUMENT + "#/paths/" + pointer(template) + "/" + operationMethod + "/responses/" + status + "/content/"
                        + pointer(mediaType) + "/schema",
                response,
                what);
    }

    private void assertValid(String schemaIri, ApiClient.Response response, String what) {
        Schema schema = schemas.computeIfAbsent(schemaIri, iri -> registry.getSchema(SchemaLocation.of(iri)));
        var errors = schema.validate(response.json());
        assertThat(errors).as("%s: body does not match %s", what, schemaIri).isEmpty();
    }

    private static String mediaType(ApiClient.Response response) {
        String contentType = response.contentType();
        return contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
    }

    /** A JSON pointer token (RFC 6901), also escaped for the fragment of an IRI. */
    private static String pointer(String token) {
        return token.replace("~", "~0").replace("/", "~1").replace("{", "%7B").replace("}", "%7D");
    }
}
