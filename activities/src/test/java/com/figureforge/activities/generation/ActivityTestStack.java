package com.figureforge.activities.generation;

import com.figureforge.adapters.data.FigureForgeTable;
import com.figureforge.devstack.dynamodb.DynamoDbServer;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Shared by the activity tests: one dynalite per test JVM, a fresh table per test class. */
public final class ActivityTestStack {

    private static DynamoDbServer server;
    private static DynamoDbClient dynamo;

    private ActivityTestStack() {}

    public static synchronized DynamoDbClient dynamo() {
        if (dynamo == null) {
            server = DynamoDbServer.start();
            dynamo = DynamoDbClient.builder()
                    .endpointOverride(server.endpoint())
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .httpClient(Apache5HttpClient.create())
                    .build();
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                dynamo.close();
                                server.close();
                            },
                            "activity-test-dynamo-stop"));
        }
        return dynamo;
    }

    public static String freshTable(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        FigureForgeTable.createIfMissing(dynamo(), name);
        return name;
    }

    /** One attempt only: each test call shows what a single activity attempt does. */
    public static ActivityOptions singleAttempt() {
        return ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build();
    }

    /** The {@link ApplicationFailure} an activity stub call ended with. */
    public static ApplicationFailure applicationFailure(ThrowableAssert.ThrowingCallable call) {
        try {
            call.call();
        } catch (ActivityFailure failure) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof ApplicationFailure application) {
                    return application;
                }
            }
            throw new AssertionError("activity failed without an ApplicationFailure", failure);
        } catch (Throwable other) {
            throw new AssertionError("expected an ActivityFailure", other);
        }
        throw new AssertionError("the activity did not fail");
    }
}
