package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A job that learns of fal's completion from fal's webhook, as a deployment with a public URL runs: the
 * app registers {@code FAL_WEBHOOK_URL} (here its own port) with each request, and the fal emulator's
 * signed delivery ends the wait, long before the 30 s safety poll (capped here by the 20 s deadline).
 * Its own Spring context and Temporal server (the shared e2e context follows the status stream); the
 * shared servers are the same, and the Stripe emulator stays with the shared context.
 */
@FigureForgeE2E
class FalWebhookCompletionE2ETest {

    private static final int PORT = freePort();

    @DynamicPropertySource
    static void webhooksToThisApp(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("figureforge.fal.webhook-url", () -> "http://127.0.0.1:" + PORT);
        // Stripe's emulator keeps delivering to the shared e2e context.
        registry.add("figureforge.devstack.stripe-webhooks", () -> false);
    }

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    FalEmulator fal;

    @Autowired
    UserRepository users;

    @Autowired
    JobRepository jobs;

    @AfterEach
    void resetFal() {
        fal.resetFaults();
    }

    @Test
    void falsWebhookEndsTheWaitLongBeforeTheSafetyPoll() {
        assertThat(port).isEqualTo(PORT);
        // Run times that end between two milliseconds, as real ones do.
        fal.setLatency(Duration.ofMillis(300), Duration.ofNanos(1_500_400_000));
        E2ESupport e2e = new E2ESupport(new ApiClient(port), issuer, users);
        var user = e2e.newUser("free");

        String jobId = e2e.startJob(user, "{\"pose\":\"standing\"}");
        var finished = e2e.awaitFinished(user, jobId);

        assertThat(finished.get("status").asString()).isEqualTo("succeeded");
        assertThat(finished.get("images")).hasSize(1);
        String requestId = jobs.findFalSubmission(jobId).orElseThrow().requestId();
        assertThat(fal.webhookDeliveries())
                .filteredOn(delivery -> delivery.requestId().equals(requestId))
                .singleElement()
                .satisfies(delivery -> {
                    assertThat(delivery.httpStatus()).isEqualTo(200);
                    assertThat(delivery.url().toString())
                            .isEqualTo("http://127.0.0.1:" + PORT + "/api/webhooks/fal/?job=" + jobId);
                });
        var job = jobs.find(jobId).orElseThrow();
        // fal takes 1.8 s; a wait that missed the webhook would end on the poll at the 20 s deadline.
        assertThat(Duration.between(job.createdAt(), job.finishedAt())).isLessThan(Duration.ofSeconds(8));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
