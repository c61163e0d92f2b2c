package com.figureforge.app.webclient;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts the Content-Security-Policy and a no-referrer policy on the web client's page and files (the
 * sign-in's code and state must not leak in a Referer). The API's JSON answers are left as they are.
 */
class WebClientHeaders extends OncePerRequestFilter {

    private final String contentSecurityPolicy;

    WebClientHeaders(String contentSecurityPolicy) {
        this.contentSecurityPolicy = contentSecurityPolicy;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !WebClientConfiguration.isWebClientPath(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("Content-Security-Policy", contentSecurityPolicy);
        response.setHeader("Referrer-Policy", "no-referrer");
        chain.doFilter(request, response);
    }
}
