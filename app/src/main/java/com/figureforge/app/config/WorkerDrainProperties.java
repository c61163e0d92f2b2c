package com.figureforge.app.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param drainTimeout how long a stopping worker waits for the activities and workflow tasks it is
 *     running; keep it under the pod's (container's) termination grace period
 */
@ConfigurationProperties("figureforge.worker")
public record WorkerDrainProperties(Duration drainTimeout) {}
