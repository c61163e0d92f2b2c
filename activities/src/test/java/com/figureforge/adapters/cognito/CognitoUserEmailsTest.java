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

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.time.Duration;
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
class CognitoUserEmailsTest {

    static final String POOL = "eu-west-1_TestPool1";
    static final String TARGET = "AWSCognitoIdentityProviderService.AdminGetUser";

    private static WireMockServer cognitoApi;
    private static CognitoIdentityProviderClient client;
    private CognitoUserEmails emails;

    @BeforeAll
    static void start() {
        cognitoApi = new WireMockServer(options().dynamicPort());
        cognitoApi.start();
        client = CognitoIdentityProviderClient.builder()
                .endpointOverride(URI.create(cognitoApi.baseUrl()))
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
        emails = new CognitoUserEmails(client, new CognitoSettings(POOL), Duration.ofSeconds(2));
    }

    private static void answer(int status, String body) {
        cognitoApi.stubFor(post(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo(TARGET))
                .willReturn(aResponse()
                        .withStatus(status)
                        .withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody(body)));
    }

    @Test
    void readsTheEmailAttributeWithAdminGetUser() {
        answer(200, """
                {"Username":"alice","Enabled":true,"UserStatus":"CONFIRMED",
                 "UserAttributes":[{"Name":"sub","Value":"0f1e-sub"},
                                   {"Name":"email_verified","Value":"true"},
                                   {"Name":"email","Value":"alice@example.org"}]}
                """);

        assertThat(emails.email("alice")).contains("alice@example.org");

        cognitoApi.verify(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo(TARGET))
                .withRequestBody(equalToJson("{\"UserPoolId\":\"" + POOL + "\",\"Username\":\"alice\"}")));
    }

    @Test
    void aUserWithoutEmailOrUnknownToCognitoHasNone() {
        answer(200, """
                {"Username":"bob","UserAttributes":[{"Name":"sub","Value":"1a2b"}]}
                """);
        assertThat(emails.email("bob")).isEmpty();

        cognitoApi.resetAll();
        answer(400, "{\"__type\":\"UserNotFoundException\",\"message\":\"User does not exist.\"}");
        assertThat(emails.email("bob")).isEmpty();
    }

    @Test
    void anOutageOrMissingPermissionIsThrown() {
        answer(400, "{\"__type\":\"NotAuthorizedException\",\"message\":\"not allowed\"}");
        assertThatThrownBy(() -> emails.email("alice")).isInstanceOf(SdkException.class);

        cognitoApi.resetAll();
        answer(500, "{\"__type\":\"InternalErrorException\",\"message\":\"boom\"}");
        assertThatThrownBy(() -> emails.email("alice")).isInstanceOf(SdkException.class);
    }

    @Test
    void aSlowCognitoIsGivenUpOnAfterTheTimeout() {
        cognitoApi.stubFor(post(urlEqualTo("/"))
                .willReturn(aResponse()
                        .withFixedDelay(5_000)
                        .withStatus(200)
                        .withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"Username\":\"alice\",\"UserAttributes\":[]}")));
        var quick = new CognitoUserEmails(client, new CognitoSettings(POOL), Duration.ofMillis(300));

        long started = System.nanoTime();
        assertThatThrownBy(() -> quick.email("alice")).isInstanceOf(SdkException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void withoutAUserPoolNothingIsCalled() {
        var none = new CognitoUserEmails(null, CognitoSettings.none(), Duration.ofSeconds(2));

        assertThat(none.configured()).isFalse();
        assertThat(none.email("alice")).isEmpty();
        assertThat(cognitoApi.getAllServeEvents()).isEmpty();
    }
}
