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
 * emulator, the Temporal test server on a loopback port). Every end-to-end test class uses exactly this annotation, so they
 * share one Spring context and one set of servers.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "figureforge.generation.deadline=20s",
            // Temporal on a loopback port (any free one), as the local run serves it to the Temporal CLI.
            "figureforge.devstack.temporal-port=0",
            // The management port is random too: read it from local.management.port.
            "management.server.port=0",
            // A failed email fetch is asked again after this (1m in production).
            "figureforge.auth.email.retry-after-failure=2s",
            // Gallery pages are not kept: tests see gallery changes at once (CheapRequestsE2ETest).
            "figureforge.caches.gallery-ttl=0s",
            // Small plans so the edges are cheap to reach.
            "figureforge.plans.tiny.display-name=Tiny",
            "figureforge.plans.tiny.monthly-images=3",
            "figureforge.plans.tiny.images-per-job=1",
            "figureforge.plans.tiny.in-flight-jobs=20",
            "figureforge.plans.burst.display-name=Burst",
            "figureforge.plans.burst.monthly-images=100",
            "figureforge.plans.burst.images-per-job=1",
            "figureforge.plans.burst.in-flight-jobs=2",
            // Rate limits: generous for every test (they make many calls quickly, all from 127.0.0.1), small
            // only where RateLimitE2ETest reaches them: the "limited" plan, and the plans route per address
            // (other tests call it fewer than 20 times; RateLimitE2ETest calls from forwarded addresses).
            "figureforge.rate-limits.trusted-proxies=127.0.0.1/32,::1/128",
            "figureforge.rate-limits.policies.generate.windows[0].requests=100000",
            "figureforge.rate-limits.policies.generate.windows[0].per=1m",
            "figureforge.rate-limits.policies.generate.plans.pro[0].requests=100000",
            "figureforge.rate-limits.policies.generate.plans.pro[0].per=1m",
            "figureforge.rate-limits.policies.generate.plans.studio[0].requests=100000",
            "figureforge.rate-limits.policies.generate.plans.studio[0].per=1m",
            "figureforge.rate-limits.policies.user.windows[0].requests=100000",
            "figureforge.rate-limits.policies.user.windows[0].per=1m",
            "figureforge.rate-limits.policies.gallery.windows[0].requests=100000",
            "figureforge.rate-limits.policies.gallery.windows[0].per=1m",
            "figureforge.rate-limits.policies.plans.windows[0].requests=20",
            "figureforge.rate-limits.policies.plans.windows[0].per=1d",
            "figureforge.plans.limited.display-name=Limited",
            "figureforge.plans.limited.monthly-images=100",
            "figureforge.plans.limited.images-per-job=1",
            "figureforge.plans.limited.in-flight-jobs=20",
            "figureforge.rate-limits.policies.user.plans.limited[0].requests=6",
            "figureforge.rate-limits.policies.user.plans.limited[0].per=1d",
            "figureforge.rate-limits.policies.generate.plans.limited[0].requests=3",
            "figureforge.rate-limits.policies.generate.plans.limited[0].per=2d",
            "figureforge.rate-limits.policies.generate.plans.limited[1].requests=2",
            "figureforge.rate-limits.policies.generate.plans.limited[1].per=1d",
        })
@ActiveProfiles("local")
@Import(DevStack.class)
@ContextConfiguration(initializers = DevStackInitializer.class)
public @interface FigureForgeE2E {}
