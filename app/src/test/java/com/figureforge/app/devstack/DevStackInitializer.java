package com.figureforge.app.devstack;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Points a context at the shared local stand-ins before any bean is created, and exposes the OIDC
 * issuer and the fal emulator as beans so tests can mint tokens and inject faults.
 */
public class DevStackInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        var environment = context.getEnvironment();
        int oidcPort = environment.getProperty("figureforge.devstack.oidc-port", Integer.class, 0);
        DevStackServers servers = DevStackServers.shared(oidcPort);
        environment.getPropertySources().addFirst(new MapPropertySource("devstack", servers.properties()));
        var beans = context.getBeanFactory();
        if (servers.issuer() != null) {
            beans.registerSingleton("oidcIssuer", servers.issuer());
        }
        if (servers.fal() != null) {
            beans.registerSingleton("falEmulator", servers.fal());
        }
        if (servers.stripe() != null) {
            beans.registerSingleton("stripeEmulator", servers.stripe());
        }
    }
}
