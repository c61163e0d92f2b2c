package com.figureforge.activities.deletion;

/** @param userPoolId the Cognito user pool whose users we delete; blank: no pool (local stack), skip */
public record CognitoSettings(String userPoolId) {

    public boolean configured() {
        return userPoolId != null && !userPoolId.isBlank();
    }
}
