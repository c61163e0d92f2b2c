package com.figureforge.app.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A request body must say what it is: a wildcard Content-Type ({@code application/*}) on a method that
 * carries a body is a 415 here, because Spring's request headers refuse to hold one and would throw
 * past the problem handler (a 500). Unparseable types are left to Spring, which answers them with 415.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 11)
class ContentTypeFilter extends OncePerRequestFilter {

    private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

    private final Problems problems;

    ContentTypeFilter(Problems problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String contentType = request.getContentType();
        if (contentType != null && BODY_METHODS.contains(request.getMethod()) && isWildcard(contentType)) {
            problems.write(
                    request,
                    response,
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type must name one media type (application/json), not " + contentType + ".");
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean isWildcard(String contentType) {
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return type.isWildcardType() || type.isWildcardSubtype();
        } catch (InvalidMediaTypeException unparseable) {
            return false;
        }
    }
}
