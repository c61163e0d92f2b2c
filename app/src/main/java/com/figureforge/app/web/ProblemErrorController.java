package com.figureforge.app.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet container's error page, in place of Spring Boot's: what is refused before Spring MVC runs
 * (Spring Security's firewall for {@code ..}, {@code %2F}, {@code %00} or {@code ;} in a path, Tomcat's
 * 405 for TRACE) answers in problem JSON like everything else, with the status the container chose.
 */
@Hidden // not an API route: the container's error dispatch
@RestController
class ProblemErrorController implements ErrorController {

    private final Problems problems;

    ProblemErrorController(Problems problems) {
        this.problems = problems;
    }

    @RequestMapping("/error")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object attribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = attribute instanceof Integer code ? code : HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
        ErrorCode code = ErrorCode.forStatus(status);
        String detail = status == HttpServletResponse.SC_BAD_REQUEST
                ? "The request URL or headers are malformed."
                : code.title() + ".";
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        problems.write(uri == null ? request.getRequestURI() : uri.toString(), response, code, status, detail);
    }
}
