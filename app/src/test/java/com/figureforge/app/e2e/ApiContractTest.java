package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract check itself: it passes what the document says and fails every kind of drift. */
class ApiContractTest {

    private static final String DOCUMENT = """
            {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
             "paths": {"/api/things/{id}": {"get": {"responses": {
               "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
               "404": {"description": "no", "content": {"application/problem+json": {"schema": {"allOf": [
                 {"$ref": "#/components/schemas/Problem"}, {"properties": {"code": {"enum": ["not_found"]}}}]}}}}}}}},
             "components": {"schemas": {
               "Thing": {"type": "object", "required": ["id", "size"], "properties": {
                 "id": {"type": "string"}, "size": {"type": ["integer", "null"]}}},
               "Problem": {"type": "object", "required": ["status", "code"], "properties": {
                 "status": {"type": "integer"}, "code": {"type": "string"}}}}}}
            """;

    private final ApiContract contract = new ApiContract(DOCUMENT);

    private static ApiClient.Response answer(int status, String contentType, String body) {
        return new ApiClient.Response(status, Map.of("Content-Type", List.of(contentType)), body);
    }

    @Test
    void passesAnswersTheDocumentDescribes() {
        assertThatCode(() -> {
                    contract.check(
                            "GET", "/api/things/7/", answer(200, "application/json", "{\"id\":\"7\",\"size\":null}"));
                    contract.check(
                            "GET",
                            "/api/things/8",
                            answer(404, "application/problem+json", "{\"status\":404,\"code\":\"not_found\"}"));
                    contract.check(
                            "PATCH",
                            "/api/things/8",
                            answer(
                                    405,
                                    "application/problem+json",
                                    "{\"status\":405,\"code\":\"method_not_allowed\"}"));
                    contract.check("GET", "/actuator/health", answer(200, "text/plain", "UP"));
                })
                .doesNotThrowAnyException();
    }

    @Test
    void failsAStatusTheOperationDoesNotList() {
        assertThatThrownBy(() -> contract.check(
                        "GET",
                        "/api/things/7",
                        answer(409, "application/problem+json", "{\"status\":409,\"code\":\"x\"}")))
                .hasMessageContaining("status not in the document");
    }

    @Test
    void failsABodyThatDoesNotMatchItsSchema() {
        assertThatThrownBy(() -> contract.check("GET", "/api/things/7", answer(200, "application/json", "{\"id\":7}")))
                .hasMessageContaining("body does not match");
    }

    @Test
    void failsAProblemCodeTheStatusDoesNotDeclare() {
        assertThatThrownBy(() -> contract.check(
                        "GET",
                        "/api/things/7",
                        answer(404, "application/problem+json", "{\"status\":404,\"code\":\"job_not_found\"}")))
                .hasMessageContaining("body does not match");
    }

    @Test
    void failsAnErrorThatIsNotProblemJson() {
        assertThatThrownBy(() -> contract.check("GET", "/api/things/7", answer(404, "text/html", "<h1>404</h1>")))
                .hasMessageContaining("media type text/html");
    }

    @Test
    void failsARouteTheDocumentDoesNotKnowUnlessItIsAProblem404() {
        assertThatThrownBy(() -> contract.check("GET", "/api/other", answer(200, "application/json", "{}")))
                .hasMessageContaining("no operation");
    }
}
