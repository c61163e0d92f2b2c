package com.figureforge.app.users;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.cognito.CognitoSettings;
import com.figureforge.adapters.cognito.CognitoUserEmails;
import com.figureforge.adapters.data.FigureForgeTable;
import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.devstack.DevStackServers;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * When and where the profile's email is fetched: userinfo and AdminGetUser stubbed at the wire
 * (WireMock), the user record in dynalite.
 */
class SignInEmailsTest {

    private static final String POOL = "eu-west-1_TestPool1";
    private static final String ADMIN_GET_USER = "AWSCognitoIdentityProviderService.AdminGetUser";

    private static WireMockServer wire;
    private static CognitoIdentityProviderClient cognito;
    private static DynamoDbClient dynamo;
    private static String table;

    private final SteppingClock clock = new SteppingClock(Instant.parse("2026-11-29T10:00:00Z"));
    private UserRepository users;

    @BeforeAll
    static void start() {
        wire = new WireMockServer(options().dynamicPort());
        wire.start();
        cognito = CognitoIdentityProviderClient.builder()
                .endpointOverride(URI.create(wire.baseUrl()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
                .httpClient(Apache5HttpClient.create())
                .build();
        dynamo = DynamoDbClient.builder()
                .endpointOverride(DevStackServers.shared(0).dynamo().endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(Apache5HttpClient.create())
                .build();
        table = "sign-in-emails-" + UUID.randomUUID().toString().substring(0, 8);
        FigureForgeTable.createIfMissing(dynamo, table);
    }

    @AfterAll
    static void stop() {
        cognito.close();
        dynamo.close();
        wire.stop();
    }

    @BeforeEach
    void setUp() {
        wire.resetAll();
        users = new UserRepository(dynamo, table, clock);
    }

    private SignInEmails signInEmails(String pool, Duration timeout) {
        var properties =
                new ProfileEmailProperties(true, wire.baseUrl() + "/oauth2/userInfo", timeout, Duration.ofMinutes(1));
        return new SignInEmails(
                users,
                new UserInfoEmails(URI.create(properties.userinfoUri()), timeout),
                new CognitoUserEmails(cognito, new CognitoSettings(pool), timeout),
                properties,
                clock);
    }

    private static Jwt token(String user, Instant authTime, String scope) {
        return Jwt.withTokenValue("token-of-" + user)
                .header("alg", "RS256")
                .issuer("https://cognito-idp.eu-west-1.amazonaws.com/" + POOL)
                .subject(user)
                .claim("username", user)
                .claim("token_use", "access")
                .claim("scope", scope)
                .claim("auth_time", authTime.getEpochSecond())
                .issuedAt(authTime)
                .expiresAt(authTime.plusSeconds(3600))
                .build();
    }

    private static void userInfoAnswers(int status, String body) {
        wire.stubFor(get(urlEqualTo("/oauth2/userInfo"))
                .willReturn(aResponse()
                        .withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody(body)));
    }

    private static void adminGetUserAnswers(int status, String body) {
        wire.stubFor(post(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo(ADMIN_GET_USER))
                .willReturn(aResponse()
                        .withStatus(status)
                        .withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody(body)));
    }

    private UserRecord newUser() {
        String id = "u-" + UUID.randomUUID().toString().substring(0, 8);
        return users.getOrCreate(id, id, null);
    }

    @Test
    void userInfoIsAskedWithTheCallersTokenOncePerSignIn() {
        UserRecord user = newUser();
        userInfoAnswers(200, "{\"sub\":\"" + user.id() + "\",\"email\":\"a@example.org\"}");
        Instant signIn = clock.instant().minusSeconds(30);
        SignInEmails emails = signInEmails(POOL, Duration.ofSeconds(2));

        UserRecord refreshed = emails.refresh(user, token(user.id(), signIn, "openid email"));
        UserRecord again = emails.refresh(refreshed, token(user.id(), signIn, "openid email"));

        assertThat(refreshed.email()).isEqualTo("a@example.org");
        assertThat(refreshed.emailSignInAt()).isEqualTo(signIn);
        assertThat(again).isEqualTo(refreshed);
        wire.verify(
                1,
                getRequestedFor(urlEqualTo("/oauth2/userInfo"))
                        .withHeader("Authorization", equalTo("Bearer token-of-" + user.id())));
        wire.verify(0, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void aFailingUserInfoFallsBackToAdminGetUser() {
        UserRecord user = newUser();
        userInfoAnswers(503, "{}");
        adminGetUserAnswers(
                200,
                "{\"Username\":\"" + user.id() + "\",\"UserAttributes\":"
                        + "[{\"Name\":\"email\",\"Value\":\"pool@example.org\"}]}");

        UserRecord refreshed = signInEmails(POOL, Duration.ofSeconds(2))
                .refresh(user, token(user.id(), clock.instant(), "openid email"));

        assertThat(refreshed.email()).isEqualTo("pool@example.org");
        wire.verify(1, postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(ADMIN_GET_USER)));
    }

    @Test
    void aTokenWithoutOpenidGoesStraightToAdminGetUser() {
        UserRecord user = newUser();
        adminGetUserAnswers(
                200,
                "{\"Username\":\"" + user.id() + "\",\"UserAttributes\":"
                        + "[{\"Name\":\"email\",\"Value\":\"pool@example.org\"}]}");

        UserRecord refreshed = signInEmails(POOL, Duration.ofSeconds(2))
                .refresh(user, token(user.id(), clock.instant(), "aws.cognito.signin.user.admin"));

        assertThat(refreshed.email()).isEqualTo("pool@example.org");
        wire.verify(0, getRequestedFor(urlEqualTo("/oauth2/userInfo")));
    }

    @Test
    void anAnswerForAnotherSubjectIsNotUsed() {
        UserRecord user = newUser();
        userInfoAnswers(200, "{\"sub\":\"someone-else\",\"email\":\"else@example.org\"}");

        UserRecord after = signInEmails(null, Duration.ofSeconds(2))
                .refresh(user, token(user.id(), clock.instant(), "openid email"));

        assertThat(after.email()).isNull();
        assertThat(after.emailSignInAt()).isNull();
    }

    @Test
    void whenEverySourceFailsTheStoredEmailStaysAndIsAskedAgainOnlyAfterTheWait() {
        UserRecord user = newUser();
        Instant firstSignIn = clock.instant().minusSeconds(600);
        userInfoAnswers(200, "{\"sub\":\"" + user.id() + "\",\"email\":\"old@example.org\"}");
        SignInEmails emails = signInEmails(POOL, Duration.ofSeconds(2));
        user = emails.refresh(user, token(user.id(), firstSignIn, "openid email"));
        wire.resetAll();
        userInfoAnswers(500, "{}");
        adminGetUserAnswers(500, "{\"__type\":\"InternalErrorException\",\"message\":\"boom\"}");
        Jwt secondSignIn = token(user.id(), clock.instant(), "openid email");

        UserRecord kept = emails.refresh(user, secondSignIn);
        UserRecord stillKept = emails.refresh(kept, secondSignIn);

        assertThat(kept.email()).isEqualTo("old@example.org");
        assertThat(kept.emailSignInAt()).as("the sign-in stays uncovered").isEqualTo(firstSignIn);
        assertThat(stillKept).isEqualTo(kept);
        wire.verify(1, getRequestedFor(urlEqualTo("/oauth2/userInfo")));

        wire.resetAll();
        userInfoAnswers(200, "{\"sub\":\"" + user.id() + "\",\"email\":\"new@example.org\"}");
        clock.advance(Duration.ofSeconds(61));
        assertThat(emails.refresh(kept, secondSignIn).email()).isEqualTo("new@example.org");
    }

    @Test
    void aSlowUserInfoIsGivenUpOnAfterTheTimeout() {
        UserRecord user = newUser();
        wire.stubFor(get(urlEqualTo("/oauth2/userInfo"))
                .willReturn(aResponse()
                        .withFixedDelay(5_000)
                        .withStatus(200)
                        .withBody("{\"sub\":\"" + user.id() + "\",\"email\":\"late@example.org\"}")));

        long started = System.nanoTime();
        UserRecord after = signInEmails(null, Duration.ofMillis(300))
                .refresh(user, token(user.id(), clock.instant(), "openid email"));

        assertThat(after.email()).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
    }

    /** A clock tests move by hand. */
    private static final class SteppingClock extends Clock {
        private volatile Instant now;

        SteppingClock(Instant start) {
            this.now = start;
        }

        void advance(Duration step) {
            now = now.plus(step);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
