package com.figureforge.app.users;

import com.figureforge.activities.data.UserRepository;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ErrorCode;
import org.springframework.core.MethodParameter;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Resolves a {@link CurrentUser} controller parameter from the bearer token. The user's record is
 * created on their first authenticated request (a conditional put: concurrent first requests agree).
 */
@Component
class CurrentUserResolver implements HandlerMethodArgumentResolver {

    private final UserRepository users;

    CurrentUserResolver(UserRepository users) {
        this.users = users;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return CurrentUser.class.equals(parameter.getParameterType());
    }

    @Override
    public CurrentUser resolveArgument(
            MethodParameter parameter,
            ModelAndViewContainer mavContainer,
            NativeWebRequest webRequest,
            WebDataBinderFactory binderFactory) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !(authentication.getPrincipal() instanceof Jwt jwt)) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "A bearer access token is required.");
        }
        String id = jwt.getSubject();
        String username = jwt.getClaimAsString("username");
        if (username == null || username.isBlank()) {
            username = id;
        }
        var record = users.getOrCreate(id, username, jwt.getClaimAsString("email"));
        return new CurrentUser(id, username, record);
    }
}
