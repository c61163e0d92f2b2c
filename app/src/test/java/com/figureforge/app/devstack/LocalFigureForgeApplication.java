package com.figureforge.app.devstack;

import com.figureforge.app.FigureForgeApplication;
import com.figureforge.workflows.billing.StripeEventTypes;
import java.net.URI;
import org.springframework.boot.SpringApplication;

/**
 * The whole stack in one process, no cloud account and no Docker: {@code ./mvnw -pl app -am
 * spring-boot:test-run} (see the README). Lives in test sources so none of the stand-ins reach the
 * production jar.
 */
public class LocalFigureForgeApplication {

    public static void main(String[] args) {
        if (System.getProperty("spring.profiles.active") == null) {
            System.setProperty("spring.profiles.active", "local");
        }
        // Temporal on 127.0.0.1:7233, where the Temporal CLI looks by default (TEMPORAL_LOCAL_PORT moves it).
        if (System.getProperty("figureforge.devstack.temporal-port") == null) {
            System.setProperty(
                    "figureforge.devstack.temporal-port", System.getenv().getOrDefault("TEMPORAL_LOCAL_PORT", "7233"));
        }
        // The OIDC issuer listens on 9090, the address the README's curl uses.
        DevStackServers servers = DevStackServers.shared(9090);
        servers.properties().forEach((key, value) -> System.setProperty(key, value.toString()));
        var running = SpringApplication.from(FigureForgeApplication::main)
                .with(DevStack.class)
                .run(args);
        if (servers.stripe() != null) {
            String port = running.getApplicationContext().getEnvironment().getProperty("local.server.port", "8080");
            servers.stripe()
                    .setWebhook(
                            URI.create("http://127.0.0.1:" + port + "/api/webhooks/stripe/"),
                            DevStackServers.LOCAL_WEBHOOK_SECRET,
                            StripeEventTypes.HANDLED);
        }
    }
}
