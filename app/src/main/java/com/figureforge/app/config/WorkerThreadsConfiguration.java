package com.figureforge.app.config;

import io.temporal.spring.boot.WorkerOptionsCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Activities run on virtual threads. They spend their time waiting on fal, S3 and DynamoDB, and the
 * status-stream followers wait for minutes: a platform thread (and its stack) per running activity
 * was most of the worker's native memory under a burst. The slots configured per worker still bound
 * how many run at once. Workflow threads stay platform threads: on a starved CPU a virtual workflow
 * thread may wait for a carrier past the 1 s deadlock detector, which then fails the task or stops the
 * worker (temporalio/sdk-java#2959); docs/decisions.md.
 */
@Configuration(proxyBeanMethods = false)
class WorkerThreadsConfiguration {

    @Bean
    WorkerOptionsCustomizer activitiesOnVirtualThreads() {
        return (options, workerName, taskQueue) -> options.setUsingVirtualThreadsOnActivityWorker(true);
    }
}
