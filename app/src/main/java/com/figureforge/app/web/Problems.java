package com.figureforge.app.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds RFC 9457 problem details with our {@code code} (and {@code errors} for validation), for
 * controllers and for filters that answer before Spring MVC does (security, size limits).
 */
@Component
public class Problems {

    private final JsonMapper json;

    Problems(JsonMapper json) {
        this.json = json;
    }

    public static ProblemDetail of(ErrorCode code, String detail, List<ApiException.FieldError> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(code.status(), detail);
        problem.setType(URI.create(code.type()));
        problem.setTitle(code.title());
        problem.setProperty("code", code.code());
        if (!errors.isEmpty()) {
            problem.setProperty("errors", errors);
        }
        return problem;
    }

    public static ProblemDetail of(ErrorCode code, String detail) {
        return of(code, detail, List.of());
    }

    /** Writes a problem straight to the servlet response (for filters and security handlers). */
    public void write(HttpServletRequest request, HttpServletResponse response, ErrorCode code, String detail)
            throws IOException {
        write(request.getRequestURI(), response, code, code.status().value(), detail);
    }

    /** As above, with the status the container chose (its error page may carry one no code owns). */
    void write(String instance, HttpServletResponse response, ErrorCode code, int status, String detail)
            throws IOException {
        // Written as a map: the MVC converter flattens ProblemDetail properties, a bare mapper would not.
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", code.type());
        body.put("title", code.title());
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", instance);
        body.put("code", code.code());
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), body);
    }
}
