package com.figureforge.app.devstack;

import com.figureforge.devstack.stripe.StripeEmulator;
import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.billing.StripeEventTypes;
import io.temporal.spring.boot.TemporalOptionsCustomizer;
import io.temporal.testing.TestEnvironmentOptions;
import java.net.URI;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The local Temporal test server's options (the {@code local} profile switches the server on):
 * custom search attributes registered (an unregistered one fails the start), time skipping off so
 * timers take real time, as in production, and optionally a loopback port for the Temporal CLI.
 */
@TestConfiguration(proxyBeanMethods = false)
public class DevStack {

    /**
     * Once the app listens, the Stripe emulator delivers its signed webhooks to it (the events the
     * app handles, as a Stripe endpoint would be configured). The management port's server, which
     * starts too, carries no API, nor does a worker-role context.
     */
    @Bean
    ApplicationListener<WebServerInitializedEvent> stripeEmulatorWebhook(ObjectProvider<StripeEmulator> stripe) {
        return event -> {
            if ("management".equals(event.getApplicationContext().getServerNamespace())) {
                return;
            }
            // A worker-role context (no API) must not take the webhooks from the context that serves them,
            // nor may a second test context that says so (figureforge.devstack.stripe-webhooks=false).
            var env = event.getApplicationContext().getEnvironment();
            if (!env.getProperty("figureforge.api-enabled", Boolean.class, true)
                    || !env.getProperty("figureforge.devstack.stripe-webhooks", Boolean.class, true)) {
                return;
            }
            stripe.ifAvailable(emulator -> emulator.setWebhook(
                    URI.create("http://127.0.0.1:" + event.getWebServer().getPort() + "/api/webhooks/stripe/"),
                    DevStackServers.LOCAL_WEBHOOK_SECRET,
                    StripeEventTypes.HANDLED));
        };
    }

    /**
     * With {@code figureforge.devstack.temporal-port} set (the local run: 7233; a test: 0), the test
     * server listens on {@code 127.0.0.1:<port>} and the app connects to it there, so the Temporal CLI can
     * attach; unset, it stays in-process with no port.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty("figureforge.devstack.temporal-port")
    LocalTemporalServer localTemporalPort(Environment env) {
        return LocalTemporalServer.start(
                env.getRequiredProperty("figureforge.devstack.temporal-port", Integer.class), skipTime(env));
    }

    @Bean
    TemporalOptionsCustomizer<TestEnvironmentOptions.Builder> localTemporalServer(
            Environment env, ObjectProvider<LocalTemporalServer> port) {
        boolean skipTime = skipTime(env);
        return builder -> {
            builder.setUseTimeskipping(skipTime);
            port.ifAvailable(server -> builder.setUseExternalService(true).setTarget(server.target()));
            FigureForgeSearchAttributes.ALL.forEach(
                    attribute -> builder.registerSearchAttribute(attribute.getName(), attribute.getValueType()));
            return builder;
        };
    }

    private static boolean skipTime(Environment env) {
        return env.getProperty("figureforge.devstack.temporal-time-skipping", Boolean.class, false);
    }
}
