package com.figureforge.app.e2e;

import com.figureforge.app.devstack.DevStack;
import com.figureforge.app.devstack.DevStackInitializer;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

/**
 * The whole app on a random port against the local stack (dynalite, S3Proxy, OIDC issuer, fal
 * emulator, in-process Temporal). Every end-to-end test class uses exactly this annotation, so they
 * share one Spring context and one set of servers.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "figureforge.generation.deadline=20s",
            // The management port is random too: read it from local.management.port.
            "management.server.port=0",
            // A failed email fetch is asked again after this (1m in production).
            "figureforge.auth.email.retry-after-failure=2s",
            // Small plans so the edges are cheap to reach.
            "figureforge.plans.tiny.display-name=Tiny",
            "figureforge.plans.tiny.monthly-images=3",
            "figureforge.plans.tiny.images-per-job=1",
            "figureforge.plans.tiny.in-flight-jobs=20",
            "figureforge.plans.burst.display-name=Burst",
            "figureforge.plans.burst.monthly-images=100",
            "figureforge.plans.burst.images-per-job=1",
            "figureforge.plans.burst.in-flight-jobs=2",
        })
@ActiveProfiles("local")
@Import(DevStack.class)
@ContextConfiguration(initializers = DevStackInitializer.class)
public @interface FigureForgeE2E {}
