package com.figureforge.app.health;

import com.figureforge.app.config.FigureForgeProperties;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Readiness: the app is ready when it can reach Temporal, its table and its bucket. A check that
 * throws reports DOWN with the error's type (never a 500 from the health endpoint).
 */
@Configuration(proxyBeanMethods = false)
class HealthConfiguration {

    @Bean
    HealthIndicator temporal(WorkflowServiceStubs stubs) {
        return guarded(() -> {
            var check = stubs.healthCheck();
            return check.getStatus().name().equals("SERVING")
                    ? Health.up().build()
                    : Health.down()
                            .withDetail("status", check.getStatus().name())
                            .build();
        });
    }

    @Bean
    HealthIndicator dynamoDb(DynamoDbClient dynamo, FigureForgeProperties properties) {
        String table = properties.aws().dynamodb().table();
        return guarded(() -> {
            var status = dynamo.describeTable(b -> b.tableName(table)).table().tableStatusAsString();
            return "ACTIVE".equals(status)
                    ? Health.up().withDetail("table", table).build()
                    : Health.down()
                            .withDetail("table", table)
                            .withDetail("status", status)
                            .build();
        });
    }

    @Bean
    HealthIndicator s3(S3Client s3, FigureForgeProperties properties) {
        String bucket = properties.aws().s3().bucket();
        return guarded(() -> {
            s3.headBucket(b -> b.bucket(bucket));
            return Health.up().withDetail("bucket", bucket).build();
        });
    }

    private static HealthIndicator guarded(Supplier<Health> check) {
        return () -> {
            try {
                return check.get();
            } catch (RuntimeException e) {
                return Health.down()
                        .withDetail("error", e.getClass().getSimpleName())
                        .build();
            }
        };
    }
}
