package com.figureforge.adapters.cognito;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.workflows.deletion.LoginDeletion;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;

/** The real SDK against WireMock speaking Cognito's JSON protocol. */
public class CognitoLoginsTest {

    public static final String POOL = "eu-west-1_TestPool1";
    static final String TARGET = "AWSCognitoIdentityProviderService.AdminDeleteUser";

    private static WireMockServer cognitoApi;
    private static CognitoIdentityProviderClient client;
    private CognitoLogins logins;

    @BeforeAll
    static void start() {
        cognitoApi = new WireMockServer(options().dynamicPort());
        cognitoApi.start();
        client = client(cognitoApi);
    }

    public static CognitoIdentityProviderClient client(WireMockServer server) {
        return CognitoIdentityProviderClient.builder()
                .endpointOverride(URI.create(server.baseUrl()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
                .httpClient(Apache5HttpClient.create())
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        cognitoApi.stop();
    }

    @BeforeEach
    void setUp() {
        cognitoApi.resetAll();
        logins = new CognitoLogins(client, new CognitoSettings(POOL));
    }

    public static void answerDeleted(WireMockServer server) {
        server.stubFor(post(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo(TARGET))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{}")));
    }

    public static void answerNotFound(WireMockServer server) {
        server.stubFor(post(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo(TARGET))
                .willReturn(aResponse()
                        .withStatus(400)
                        .withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"__type\":\"UserNotFoundException\",\"message\":\"User does not exist.\"}")));
    }

    @Test
    void deletesTheUserWithAdminDeleteUser() {
        answerDeleted(cognitoApi);

        assertThat(logins.delete("alice")).isEqualTo(LoginDeletion.DELETED);

        cognitoApi.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo(TARGET))
                .withRequestBody(equalToJson("{\"UserPoolId\":\"" + POOL + "\",\"Username\":\"alice\"}")));
    }

    @Test
    void aUserCognitoDoesNotKnowCountsAsDeleted() {
        answerNotFound(cognitoApi);

        assertThat(logins.delete("alice")).isEqualTo(LoginDeletion.NOT_FOUND);
    }

    @Test
    void anOutageIsThrownSoTheActivityRetries() {
        cognitoApi.stubFor(post(urlEqualTo("/"))
                .willReturn(aResponse()
                        .withStatus(500)
                        .withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"__type\":\"InternalErrorException\",\"message\":\"boom\"}")));

        assertThatThrownBy(() -> logins.delete("alice")).isInstanceOf(SdkException.class);
    }

    @Test
    void withoutAUserPoolNothingIsCalled() {
        assertThat(CognitoLogins.disabled().delete("alice")).isEqualTo(LoginDeletion.SKIPPED);
        assertThat(new CognitoLogins(null, new CognitoSettings(" ")).delete("alice"))
                .isEqualTo(LoginDeletion.SKIPPED);
        assertThat(cognitoApi.getAllServeEvents()).isEmpty();
    }
}
