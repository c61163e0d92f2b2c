package com.figureforge.app.config;

import io.temporal.worker.WorkerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Drains the Temporal workers when the process is told to stop (SIGTERM closes the context). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WorkerDrainProperties.class)
public class WorkerDrainConfiguration {

    @Bean
    WorkerDrain workerDrain(ObjectProvider<WorkerFactory> workerFactory, WorkerDrainProperties properties) {
        return new WorkerDrain(workerFactory, properties.drainTimeout());
    }
}
