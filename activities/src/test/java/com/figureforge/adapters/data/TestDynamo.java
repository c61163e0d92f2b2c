package com.figureforge.adapters.data;

import com.figureforge.devstack.dynamodb.DynamoDbServer;
import java.time.Duration;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** One dynalite server and one client per test JVM; each test class works in a table of its own. */
final class TestDynamo {

    private static DynamoDbServer server;
    private static DynamoDbClient client;

    private TestDynamo() {}

    static synchronized DynamoDbClient client() {
        if (client == null) {
            server = DynamoDbServer.start();
            client = DynamoDbClient.builder()
                    .endpointOverride(server.endpoint())
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .httpClientBuilder(Apache5HttpClient.builder()
                            .maxConnections(64)
                            .connectionTimeout(Duration.ofSeconds(5))
                            .socketTimeout(Duration.ofSeconds(30)))
                    .build();
            Runtime.getRuntime().addShutdownHook(new Thread(TestDynamo::stop, "test-dynamo-stop"));
        }
        return client;
    }

    /** Creates a table with a unique name and returns the name. */
    static String freshTable(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        FigureForgeTable.createIfMissing(client(), name);
        return name;
    }

    private static synchronized void stop() {
        client.close();
        server.close();
    }
}
