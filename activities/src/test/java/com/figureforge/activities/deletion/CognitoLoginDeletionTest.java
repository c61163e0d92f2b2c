package com.figureforge.activities.deletion;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.workflows.deletion.AccountDeletionActivities.DeleteCognitoUserInput;
import com.figureforge.workflows.deletion.LoginDeletion;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.cognitoidentityprovider.model.CognitoIdentityProviderException;

/** The Cognito step of account deletion, against Cognito's JSON protocol served by WireMock. */
class CognitoLoginDeletionTest {

    private static final String TARGET = "AWSCognitoIdentityProviderService.AdminDeleteUser";
    private static WireMockServer cognitoApi;
    private static CognitoIdentityProviderClient cognito;

    @BeforeAll
    static void start() {
        cognitoApi = new WireMockServer(wireMockConfig().dynamicPort());
        cognitoApi.start();
        cognito = CognitoIdentityProviderClient.builder()
                .endpointOverride(URI.create(cognitoApi.baseUrl()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")))
                .build();
    }

    @AfterAll
    static void stop() {
        cognito.close();
        cognitoApi.stop();
    }

    @BeforeEach
    void reset() {
        cognitoApi.resetAll();
    }

    /** Only the Cognito collaborator is used by this step. */
    private static AccountDeletionActivitiesImpl activities(String pool) {
        return new AccountDeletionActivitiesImpl(
                null, null, null, null, null, cognito, new CognitoSettings(pool), null);
    }

    @Test
    void deletesTheUserFromThePool() {
        cognitoApi.stubFor(post(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo(TARGET))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{}")));

        var outcome = activities("eu-west-1_pool").deleteCognitoUser(new DeleteCognitoUserInput("sub-1", "alice"));

        assertThat(outcome.outcome()).isEqualTo(LoginDeletion.DELETED);
        cognitoApi.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo(TARGET))
                .withRequestBody(equalToJson("{\"UserPoolId\":\"eu-west-1_pool\",\"Username\":\"alice\"}")));
    }

    @Test
    void aUserAlreadyGoneCountsAsDone() {
        cognitoApi.stubFor(post(urlEqualTo("/"))
                .willReturn(aResponse()
                        .withStatus(400)
                        .withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"__type\":\"UserNotFoundException\",\"message\":\"User does not exist.\"}")));

        var outcome = activities("eu-west-1_pool").deleteCognitoUser(new DeleteCognitoUserInput("sub-1", "alice"));

        assertThat(outcome.outcome()).isEqualTo(LoginDeletion.NOT_FOUND);
    }

    @Test
    void otherFailuresAreThrownSoTheStepIsRetried() {
        cognitoApi.stubFor(post(urlEqualTo("/"))
                .willReturn(aResponse()
                        .withStatus(400)
                        .withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"__type\":\"TooManyRequestsException\",\"message\":\"slow down\"}")));

        assertThatThrownBy(() ->
                        activities("eu-west-1_pool").deleteCognitoUser(new DeleteCognitoUserInput("sub-1", "alice")))
                .isInstanceOf(CognitoIdentityProviderException.class);
    }

    @Test
    void withoutAPoolTheStepIsSkipped() {
        var outcome = activities("").deleteCognitoUser(new DeleteCognitoUserInput("sub-1", "alice"));

        assertThat(outcome.outcome()).isEqualTo(LoginDeletion.SKIPPED);
        assertThat(cognitoApi.getAllServeEvents()).isEmpty();
    }
}
