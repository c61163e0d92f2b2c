package com.figureforge.app.users;

import com.figureforge.adapters.cognito.CognitoSettings;
import com.figureforge.adapters.cognito.CognitoUserEmails;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.config.FigureForgeProperties;
import java.net.URI;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;

/** The sources of the profile's email: the issuer's userinfo endpoint and the user pool. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ProfileEmailProperties.class)
class ProfileEmailConfiguration {

    @Bean
    CognitoUserEmails cognitoUserEmails(
            CognitoIdentityProviderClient cognito, FigureForgeProperties properties, ProfileEmailProperties email) {
        return new CognitoUserEmails(
                cognito, new CognitoSettings(properties.auth().userPoolId()), email.timeout());
    }

    @Bean
    SignInEmails signInEmails(
            UserRepository users, CognitoUserEmails userPool, ProfileEmailProperties email, Clock clock) {
        return new SignInEmails(
                users, new UserInfoEmails(userinfoEndpoint(email), email.timeout()), userPool, email, clock);
    }

    private static URI userinfoEndpoint(ProfileEmailProperties email) {
        return StringUtils.hasText(email.userinfoUri())
                ? URI.create(email.userinfoUri().strip())
                : null;
    }
}
