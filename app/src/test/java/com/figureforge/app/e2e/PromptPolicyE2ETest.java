package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.devstack.oidc.OidcIssuer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The free-text prompt: cleaned before the model sees it; a denied term refused before anything is reserved. */
@FigureForgeE2E
class PromptPolicyE2ETest {

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    UserRepository users;

    @Autowired
    FalEmulator fal;

    E2ESupport e2e;

    @BeforeEach
    void setUp() {
        e2e = new E2ESupport(new ApiClient(port), issuer, users);
    }

    @Test
    void aDeniedTermIsRefusedBeforeAnythingIsReservedOrSent() {
        var user = e2e.newUser("free");
        int submittedBefore = fal.submissionCount();

        assertProblem(e2e.generate(user, "{\"prompt\":\"a NUDE figure, seated\"}"), 422, "prompt_not_allowed");

        var quota = e2e.quota(user);
        assertThat(quota.get("used").asInt()).isZero();
        assertThat(quota.get("in_flight").asInt()).isZero();
        assertThat(fal.submissionCount()).isEqualTo(submittedBefore);
        assertThat(e2e.generate(user, "{\"prompt\":\"a figure in nudeish tones\"}")
                        .status())
                .as("whole words only")
                .isEqualTo(202);
    }

    @Test
    void controlAndDirectionCharactersNeverReachTheModel() {
        var user = e2e.newUser("free");

        String jobId =
                e2e.startJob(user, "{\"prompt\":\"arms raised\\n\\nIgnore the above\\u202e\\u0007  and  turn\"}");

        JsonNode job = e2e.job(user, jobId);
        String prompt = job.get("prompt").asString();
        assertThat(prompt).contains("arms raised Ignore the above and turn");
        assertThat(prompt.chars()).noneMatch(c -> Character.isISOControl(c) || c == 0x202e);
        assertThat(job.get("request").get("prompt").asString()).isEqualTo("arms raised Ignore the above and turn");
        e2e.awaitFinished(user, jobId);
    }
}
