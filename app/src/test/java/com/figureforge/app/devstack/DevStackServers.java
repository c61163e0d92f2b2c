package com.figureforge.app.devstack;

import com.figureforge.devstack.dynamodb.DynamoDbServer;
import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.devstack.oidc.OidcIssuer;
import com.figureforge.devstack.s3.S3Server;
import com.figureforge.devstack.stripe.StripeEmulator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The local stand-ins, started once per JVM and shared by every Spring context in it (tests reuse
 * them across classes). Each is skipped when the real service's credentials are in the environment:
 * FAL_KEY, AWS_ACCESS_KEY_ID, COGNITO_ISSUER_URI. They stop when the JVM exits.
 *
 * <p>Why not beans: the embedded web server builds its filters (and with them the configuration
 * properties and the JWT decoder) before ordinary beans exist, so endpoints registered later by a
 * bean would come too late. Starting the servers before the context and putting their addresses
 * in the environment first avoids that ordering trap.
 */
public final class DevStackServers {

    private static DevStackServers shared;

    private final DynamoDbServer dynamo;
    private final S3Server s3;
    private final OidcIssuer issuer;
    private final FalEmulator fal;
    private final StripeEmulator stripe;

    /** The local webhook signing secret shared by the Stripe emulator and the app. */
    public static final String LOCAL_WEBHOOK_SECRET = "whsec_figureforge_local";

    private DevStackServers(int oidcPort) {
        boolean realAws = present("AWS_ACCESS_KEY_ID");
        this.dynamo = realAws ? null : DynamoDbServer.start();
        this.s3 = realAws ? null : S3Server.start(0);
        this.issuer = present("COGNITO_ISSUER_URI") ? null : OidcIssuer.start(oidcPort);
        this.fal = present("FAL_KEY") ? null : FalEmulator.start(0);
        this.stripe = present("STRIPE_SECRET_KEY") ? null : StripeEmulator.start(0);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "devstack-stop"));
    }

    /** Starts the servers on first use; the OIDC issuer takes {@code oidcPort} (0 = any free port). */
    public static synchronized DevStackServers shared(int oidcPort) {
        if (shared == null) {
            shared = new DevStackServers(oidcPort);
        }
        return shared;
    }

    /** The properties that point the app at the stand-ins. */
    public Map<String, Object> properties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        if (dynamo != null) {
            properties.put(
                    "figureforge.aws.dynamodb.endpoint", dynamo.endpoint().toString());
            properties.put("figureforge.aws.s3.endpoint", s3.endpoint().toString());
            properties.put("figureforge.aws.s3.path-style", "true");
            properties.put("figureforge.aws.access-key-id", S3Server.ACCESS_KEY);
            properties.put("figureforge.aws.secret-access-key", S3Server.SECRET_KEY);
            properties.put("figureforge.aws.create-resources", "true");
        }
        if (issuer != null) {
            properties.put("spring.security.oauth2.resourceserver.jwt.issuer-uri", issuer.issuerUri());
        }
        if (fal != null) {
            properties.put("figureforge.fal.base-url", fal.baseUrl().toString());
            properties.put("figureforge.fal.api-key", "local-emulator");
            properties.put("figureforge.fal.image-hosts", fal.baseUrl().getHost());
            properties.put("figureforge.fal.jwks-url", fal.jwksUrl().toString());
        }
        if (stripe != null) {
            properties.put("figureforge.billing.stripe-secret-key", "sk_test_figureforge_local");
            properties.put("figureforge.billing.api-base", stripe.baseUrl().toString());
            properties.put("figureforge.billing.webhook-secret", LOCAL_WEBHOOK_SECRET);
            properties.put("figureforge.billing.max-network-retries", "0");
            for (String plan : new String[] {"hobby", "pro", "studio"}) {
                properties.put("figureforge.plans." + plan + ".stripe-price-id", "price_local_" + plan);
            }
        }
        return properties;
    }

    public OidcIssuer issuer() {
        return issuer;
    }

    public FalEmulator fal() {
        return fal;
    }

    public StripeEmulator stripe() {
        return stripe;
    }

    public S3Server s3() {
        return s3;
    }

    public DynamoDbServer dynamo() {
        return dynamo;
    }

    private void stop() {
        for (AutoCloseable server : new AutoCloseable[] {stripe, fal, issuer, s3, dynamo}) {
            if (server != null) {
                try {
                    server.close();
                } catch (Exception ignored) {
                    // the JVM is exiting; nothing is left to protect
                }
            }
        }
    }

    private static boolean present(String variable) {
        String value = System.getenv(variable);
        return value != null && !value.isBlank();
    }
}
