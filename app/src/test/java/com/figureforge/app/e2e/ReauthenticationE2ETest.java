package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Deleting the account needs a recent sign-in: an old session is asked to sign in again, and nothing changes. */
@FigureForgeE2E
class ReauthenticationE2ETest {

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    UserRepository users;

    ApiClient api;
    E2ESupport e2e;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        e2e = new E2ESupport(api, issuer, users);
    }

    @Test
    void aSessionSignedInLongAgoCannotDeleteTheAccountAndAFreshSignInCan() {
        var user = e2e.newUser("free");
        String oldSession =
                issuer.accessTokenSignedInAt(user.id(), Instant.now().minus(Duration.ofMinutes(30)));

        assertProblem(api.delete("/api/auth/delete/", oldSession), 401, "reauthentication_required");
        assertThat(users.find(user.id()).orElseThrow().deleting())
                .as("nothing was blocked")
                .isFalse();

        String fresh = issuer.accessToken(user.id());
        var deleted = api.delete("/api/auth/delete/", fresh);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);

        // A deletion under way is not asked again: repeating it with the old session stays harmless.
        assertThat(api.delete("/api/auth/delete/", oldSession).status()).isEqualTo(202);
    }
}
