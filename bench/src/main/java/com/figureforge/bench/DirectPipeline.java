package com.figureforge.bench;

import com.figureforge.adapters.data.FigureForgeTable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;

/**
 * The floor FigureForge is compared with: the same fal emulator, polled every 50 ms, then one S3 put
 * of the image and one DynamoDB write, with no orchestration (no Temporal, no quota, no thumbnail).
 */
final class DirectPipeline {

    private final HttpClient http = HttpClient.newBuilder()
            .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
            .build();
    private final URI fal;
    private final S3Client s3;
    private final String bucket;
    private final DynamoDbClient dynamo;
    private final String table;

    DirectPipeline(URI fal, S3Client s3, String bucket, DynamoDbClient dynamo, String table) {
        this.fal = fal;
        this.s3 = s3;
        this.bucket = bucket;
        this.dynamo = dynamo;
        this.table = table;
    }

    /** Runs one job end to end; returns how long it took. */
    Duration run(long seed) {
        long start = System.nanoTime();
        String id = UUID.randomUUID().toString();
        JsonNode submitted = call(HttpRequest.newBuilder(fal.resolve("/fal-ai/flux/dev"))
                .header("Authorization", "Key bench")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"benchmark figure standing\",\"seed\":" + seed
                        + ",\"num_images\":1,\"image_size\":\"portrait_4_3\",\"output_format\":\"png\"}"))
                .build());
        URI status = URI.create(submitted.get("status_url").asString());
        while (!"COMPLETED".equals(call(keyed(status)).get("status").asString())) {
            FigureForgeProcess.sleep(50);
        }
        JsonNode result = call(keyed(URI.create(submitted.get("response_url").asString())));
        byte[] image = bytes(URI.create(result.get("images").get(0).get("url").asString()));
        s3.putObject(
                b -> b.bucket(bucket).key("bench-direct/" + id + ".png").contentType("image/png"),
                RequestBody.fromBytes(image));
        dynamo.putItem(b -> b.tableName(table)
                .item(Map.of(
                        FigureForgeTable.PK,
                        AttributeValue.fromS("BENCH#" + id),
                        FigureForgeTable.SK,
                        AttributeValue.fromS("DIRECT"),
                        "finishedAt",
                        AttributeValue.fromS(Instant.now().toString()))));
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static HttpRequest keyed(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Key bench").build();
    }

    /**
     * The emulator may close a kept-alive connection just as a request goes out on it; the JDK client then
     * reports "received no bytes". A client retries that, so the direct pipeline does too (twice).
     */
    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return http.send(request, body);
            } catch (IOException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private JsonNode call(HttpRequest request) {
        try {
            HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode());
            }
            return BenchClient.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private byte[] bytes(URI uri) {
        try {
            return send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray())
                    .body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
