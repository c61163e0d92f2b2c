package com.figureforge.app.web;

import com.figureforge.app.config.FigureForgeProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/** In the worker role the process serves only health and metrics: the API answers 404. */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class WorkerRoleFilter extends OncePerRequestFilter {

    private final boolean apiEnabled;
    private final Problems problems;

    WorkerRoleFilter(FigureForgeProperties properties, Problems problems) {
        this.apiEnabled = properties.apiEnabled();
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return apiEnabled || !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        problems.write(
                request,
                response,
                ErrorCode.NOT_FOUND,
                "This process runs the worker role; the API is served elsewhere.");
    }
}
