package com.figureforge.devstack;

import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.devstack.oidc.OidcIssuer;
import com.figureforge.devstack.stripe.StripeEmulator;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stand-ins as a process of their own, for the compose stack's {@code stand-ins} service: the fal
 * emulator, the Stripe emulator (delivering signed webhooks to the api) and the Cognito-shaped OIDC
 * issuer, on fixed ports. The settings come from the environment:
 *
 * <ul>
 *   <li>{@code STAND_INS_BIND} interface to listen on (0.0.0.0; the container's network is private)
 *   <li>{@code FAL_EMULATOR_PORT} (8090), {@code STRIPE_EMULATOR_PORT} (12111), {@code OIDC_ISSUER_PORT} (9090)
 *   <li>{@code STRIPE_WEBHOOK_URL} where events go (e.g. http://api:8080/api/webhooks/stripe/; unset: nowhere),
 *       {@code STRIPE_WEBHOOK_SECRET} their signing secret, {@code STRIPE_WEBHOOK_EVENTS} comma-separated
 *       types (all), {@code STRIPE_PUBLIC_URL} the emulator as a browser on the host reaches it, used in
 *       checkout and portal URLs
 * </ul>
 *
 * Not in the production jar: the image carries this module and its dependencies in a directory of
 * their own, started with another command.
 */
public final class StandIns {

    private static final Logger log = LoggerFactory.getLogger(StandIns.class);

    /** The webhook signing secret the compose stack gives both this process and the app. */
    public static final String LOCAL_WEBHOOK_SECRET = "whsec_figureforge_local";

    private StandIns() {}

    public static void main(String[] args) throws InterruptedException, UnknownHostException {
        InetAddress bind = InetAddress.getByName(env("STAND_INS_BIND", "0.0.0.0"));
        FalEmulator fal = FalEmulator.start(bind, port("FAL_EMULATOR_PORT", 8090));
        StripeEmulator stripe = StripeEmulator.start(bind, port("STRIPE_EMULATOR_PORT", 12111));
        OidcIssuer issuer = OidcIssuer.start(bind, port("OIDC_ISSUER_PORT", 9090));

        String publicUrl = env("STRIPE_PUBLIC_URL", "");
        if (!publicUrl.isBlank()) {
            stripe.setPublicBaseUrl(URI.create(publicUrl));
        }
        String webhookUrl = env("STRIPE_WEBHOOK_URL", "");
        if (!webhookUrl.isBlank()) {
            List<String> events = Arrays.stream(
                            env("STRIPE_WEBHOOK_EVENTS", "*").split(","))
                    .map(String::strip)
                    .filter(type -> !type.isEmpty())
                    .toList();
            stripe.setWebhook(URI.create(webhookUrl), env("STRIPE_WEBHOOK_SECRET", LOCAL_WEBHOOK_SECRET), events);
            log.info("Stripe emulator delivers {} to {}", events, webhookUrl);
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            stripe.close();
                            fal.close();
                            issuer.close();
                            stopped.countDown();
                        },
                        "stand-ins-stop"));
        log.info("Stand-ins ready: fal {}, Stripe {}, OIDC issuer {}", fal.port(), stripe.port(), issuer.issuerUri());
        stopped.await();
    }

    private static int port(String variable, int fallback) {
        return Integer.parseInt(env(variable, Integer.toString(fallback)));
    }

    private static String env(String variable, String fallback) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? fallback : value.strip();
    }
}
