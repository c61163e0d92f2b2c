package com.figureforge.app.users;

import com.figureforge.adapters.data.AccountDeletedException;
import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.data.UserRepository;
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
 * created on their first authenticated request (a conditional put: concurrent first requests agree),
 * and its email is fetched from Cognito on the first request of each sign-in ({@link SignInEmails}).
 */
@Component
class CurrentUserResolver implements HandlerMethodArgumentResolver {

    private final UserRepository users;
    private final UserRecordCache recentUsers;
    private final SignInEmails signInEmails;

    CurrentUserResolver(UserRepository users, UserRecordCache recentUsers, SignInEmails signInEmails) {
        this.users = users;
        this.recentUsers = recentUsers;
        this.signInEmails = signInEmails;
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
        UserRecord record;
        try {
            // A deleted account leaves a tombstone: its token never creates the user again. Access
            // tokens carry no email: SignInEmails fetches it below. A request that changes something
            // (a quota reservation above all) decides on the record as stored; one that only reads may
            // answer from a record a few seconds old.
            String name = username;
            record = readOnly(webRequest)
                    ? recentUsers.get(id, () -> users.getOrCreate(id, name, null))
                    : users.getOrCreate(id, username, null);
        } catch (AccountDeletedException deleted) {
            throw new ApiException(ErrorCode.ACCOUNT_DELETED, "This account has been deleted.");
        }
        if (record.deleting() && !isDeletionRequest(webRequest)) {
            throw new ApiException(ErrorCode.ACCOUNT_DELETING, "This account is being deleted.");
        }
        if (!record.deleting()) {
            record = signInEmails.refresh(record, jwt);
        }
        return new CurrentUser(id, username, record);
    }

    private static boolean readOnly(NativeWebRequest webRequest) {
        var request = webRequest.getNativeRequest(jakarta.servlet.http.HttpServletRequest.class);
        return request != null && ("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()));
    }

    /** Repeating the deletion request is harmless and answers 202 again. */
    private static boolean isDeletionRequest(NativeWebRequest webRequest) {
        var request = webRequest.getNativeRequest(jakarta.servlet.http.HttpServletRequest.class);
        return request != null
                && "DELETE".equals(request.getMethod())
                && request.getRequestURI().replaceAll("/+$", "").equals("/api/auth/delete");
    }
}
