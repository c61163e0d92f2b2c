package com.figureforge.app.web;

import com.figureforge.app.ratelimit.RateLimitedRoutes;
import com.figureforge.app.users.CurrentUser;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.core.MethodParameter;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.method.HandlerMethod;

/**
 * Gives every operation its security (bearer when it takes the caller, none otherwise) and every problem
 * response it can answer with, each status with
 * the problem schema narrowed to the codes that status carries on this route. The codes come from the
 * route's shape (who calls it, whether it reads a body) plus its {@link ProblemResponses}.
 */
@Component
class ProblemResponsesCustomizer implements OperationCustomizer {

    static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";
    static final String BEARER = "bearer";

    private final RateLimitedRoutes rateLimitedRoutes;

    ProblemResponsesCustomizer(RateLimitedRoutes rateLimitedRoutes) {
        this.rateLimitedRoutes = rateLimitedRoutes;
    }

    @Override
    public Operation customize(Operation operation, HandlerMethod handler) {
        boolean authenticated = Arrays.stream(handler.getMethodParameters())
                .anyMatch(p -> p.getParameterType().equals(CurrentUser.class));
        operation.setSecurity(authenticated ? List.of(new SecurityRequirement().addList(BEARER)) : new ArrayList<>());
        Set<ErrorCode> codes = codes(handler, authenticated);
        if (rateLimitedRoutes.limited(handler)) {
            codes.add(ErrorCode.RATE_LIMITED); // RateLimitInterceptor
        }
        Map<Integer, List<ErrorCode>> byStatus = new TreeMap<>(
                codes.stream().collect(Collectors.groupingBy(c -> c.status().value(), Collectors.toList())));
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        byStatus.forEach((status, ofStatus) -> responses.addApiResponse(String.valueOf(status), response(ofStatus)));
        operation.setResponses(responses);
        return operation;
    }

    private static Set<ErrorCode> codes(HandlerMethod handler, boolean authenticated) {
        // A bearer token that is sent is checked on every route, public ones included: a bad one is a 401.
        // A malformed URL or query string (refused by the firewall or Tomcat's parser) is a 400 anywhere.
        Set<ErrorCode> codes = EnumSet.of(ErrorCode.INTERNAL_ERROR, ErrorCode.UNAUTHORIZED, ErrorCode.BAD_REQUEST);
        if (authenticated) {
            // CurrentUserResolver: a deleted account's tombstone, a deletion in progress.
            codes.addAll(List.of(ErrorCode.ACCOUNT_DELETED, ErrorCode.ACCOUNT_DELETING));
        }
        for (MethodParameter parameter : handler.getMethodParameters()) {
            if (parameter.hasParameterAnnotation(RequestBody.class)) {
                // ProblemHandler and RequestBodyLimitFilter: missing or broken JSON, wrong media type, too big.
                codes.addAll(List.of(
                        ErrorCode.MALFORMED_JSON, ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.PAYLOAD_TOO_LARGE));
                if (!parameter.getParameterType().equals(String.class)) {
                    codes.addAll(List.of(ErrorCode.UNKNOWN_FIELD, ErrorCode.VALIDATION_FAILED));
                }
            } else if (Number.class.isAssignableFrom(parameter.getParameterType())) {
                codes.add(ErrorCode.VALIDATION_FAILED); // a query value that is not a number
            }
        }
        ProblemResponses declared = handler.getMethodAnnotation(ProblemResponses.class);
        if (declared != null) {
            codes.addAll(List.of(declared.value()));
            List.of(declared.excluding()).forEach(codes::remove);
        }
        return codes;
    }

    private static ApiResponse response(List<ErrorCode> codes) {
        int status = codes.get(0).status().value();
        String description =
                codes.stream().map(c -> "`" + c.code() + "`: " + c.title()).collect(Collectors.joining("; "));
        Schema<?> narrowed = new JsonSchema()
                .addProperty("status", new JsonSchema()._const(status))
                .addProperty(
                        "code",
                        new JsonSchema()
                                ._enum(new ArrayList<Object>(
                                        codes.stream().map(ErrorCode::code).toList())));
        Schema<?> schema = new JsonSchema().allOf(List.of(new JsonSchema().$ref(PROBLEM_SCHEMA), narrowed));
        ApiResponse response = new ApiResponse()
                .description(description)
                .content(new Content()
                        .addMediaType(
                                org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                                new MediaType().schema(schema)));
        if (status == 401) {
            response.addHeaderObject(
                    "WWW-Authenticate",
                    new Header()
                            .description("The bearer challenge, with the reason for a rejected token")
                            .schema(new JsonSchema().types(new java.util.LinkedHashSet<>(Set.of("string")))));
        }
        if (codes.contains(ErrorCode.RATE_LIMITED)) {
            response.addHeaderObject(
                    "Retry-After",
                    new Header()
                            .description("Seconds until the limit lets a request through again")
                            .schema(new JsonSchema()
                                    .types(new java.util.LinkedHashSet<>(Set.of("integer")))
                                    .minimum(java.math.BigDecimal.ONE)));
            response.addHeaderObject(
                    "RateLimit-Policy", header("The route's limits, e.g. `\"generate\";q=30;w=60` (IETF draft)"));
            response.addHeaderObject("RateLimit", header("The limit reached, e.g. `\"generate\";r=0;t=12`"));
        }
        return response;
    }

    private static Header header(String description) {
        return new Header()
                .description(description)
                .schema(new JsonSchema().types(new java.util.LinkedHashSet<>(Set.of("string"))));
    }
}
