package com.figureforge.adapters.cognito;

/**
 * Where logins live. Without a user pool (the local stack, whose tokens come from a stand-in issuer)
 * there is no login to delete and that step is skipped.
 *
 * @param userPoolId the Cognito user pool id, e.g. {@code eu-west-1_AbCdEf123}; null or blank: none
 */
public record CognitoSettings(String userPoolId) {

    public static CognitoSettings none() {
        return new CognitoSettings(null);
    }

    public boolean configured() {
        return userPoolId != null && !userPoolId.isBlank();
    }
}
