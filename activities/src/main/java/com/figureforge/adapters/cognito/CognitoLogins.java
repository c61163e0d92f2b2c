package com.figureforge.adapters.cognito;

import com.figureforge.workflows.deletion.LoginDeletion;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.cognitoidentityprovider.model.UserNotFoundException;

/** Deletes Cognito logins (AdminDeleteUser); needs {@code cognito-idp:AdminDeleteUser} on the pool. */
public class CognitoLogins {

    private static final Logger log = LoggerFactory.getLogger(CognitoLogins.class);

    private final CognitoIdentityProviderClient cognito;
    private final CognitoSettings settings;

    /** @param cognito may be null when {@code settings} name no user pool */
    public CognitoLogins(CognitoIdentityProviderClient cognito, CognitoSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (settings.configured()) {
            Objects.requireNonNull(cognito, "a Cognito client is needed for user pool " + settings.userPoolId());
        }
        this.cognito = cognito;
    }

    /** Without a user pool: every deletion is {@link LoginDeletion#SKIPPED}. */
    public static CognitoLogins disabled() {
        return new CognitoLogins(null, CognitoSettings.none());
    }

    /**
     * Deletes the user. Idempotent: a user Cognito does not know (deleted before) is {@code NOT_FOUND}.
     * Anything else (throttling, outage, missing permission) is thrown, and the activity is retried.
     *
     * @param username the Cognito username, or the user's {@code sub}, which Cognito accepts too
     */
    public LoginDeletion delete(String username) {
        if (!settings.configured()) {
            return LoginDeletion.SKIPPED;
        }
        if (username == null || username.isBlank()) {
            throw new IllegalArgumentException("username must not be blank");
        }
        try {
            cognito.adminDeleteUser(
                    request -> request.userPoolId(settings.userPoolId()).username(username));
            log.info("deleted the Cognito user from pool {}", settings.userPoolId());
            return LoginDeletion.DELETED;
        } catch (UserNotFoundException gone) {
            return LoginDeletion.NOT_FOUND;
        }
    }
}
