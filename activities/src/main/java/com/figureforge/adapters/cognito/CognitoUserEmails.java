package com.figureforge.adapters.cognito;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.cognitoidentityprovider.model.AdminGetUserResponse;
import software.amazon.awssdk.services.cognitoidentityprovider.model.AttributeType;
import software.amazon.awssdk.services.cognitoidentityprovider.model.UserNotFoundException;

/**
 * A user's email from the user pool (AdminGetUser); needs {@code cognito-idp:AdminGetUser} on the
 * pool. It is asked on a request thread, so every call is bounded by {@code timeout}, retries included.
 */
public class CognitoUserEmails {

    private final CognitoIdentityProviderClient cognito;
    private final CognitoSettings settings;
    private final Duration timeout;

    /** @param cognito may be null when {@code settings} name no user pool */
    public CognitoUserEmails(CognitoIdentityProviderClient cognito, CognitoSettings settings, Duration timeout) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (settings.configured()) {
            Objects.requireNonNull(cognito, "a Cognito client is needed for user pool " + settings.userPoolId());
        }
        this.cognito = cognito;
    }

    /** Whether a user pool is configured; without one {@link #email} always answers empty. */
    public boolean configured() {
        return settings.configured();
    }

    /**
     * The user's {@code email} attribute; empty if the user has none, Cognito does not know the user,
     * or no pool is configured. Anything else (throttling, outage, timeout, missing permission) is
     * thrown: the caller keeps what it has and asks again later.
     *
     * @param username the Cognito username (the access token's {@code username} claim)
     */
    public Optional<String> email(String username) {
        if (!settings.configured()) {
            return Optional.empty();
        }
        if (username == null || username.isBlank()) {
            throw new IllegalArgumentException("username must not be blank");
        }
        AdminGetUserResponse user;
        try {
            user = cognito.adminGetUser(request -> request.userPoolId(settings.userPoolId())
                    .username(username)
                    .overrideConfiguration(o -> o.apiCallTimeout(timeout)));
        } catch (UserNotFoundException unknown) {
            return Optional.empty();
        }
        return user.userAttributes().stream()
                .filter(attribute -> "email".equals(attribute.name()))
                .map(AttributeType::value)
                .filter(value -> value != null && !value.isBlank())
                .findFirst();
    }
}
