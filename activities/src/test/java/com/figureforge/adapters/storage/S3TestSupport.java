package com.figureforge.adapters.storage;

import com.figureforge.devstack.s3.S3Server;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** One S3Proxy for the whole test JVM, and clients for it that count the requests they send. */
public final class S3TestSupport {

    private static S3Server server;

    private S3TestSupport() {}

    public static synchronized S3Server server() {
        if (server == null) {
            server = S3Server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "s3proxy-stop"));
        }
        return server;
    }

    /** Counts requests by SDK request class name ({@code PutObjectRequest}, ...). */
    public static final class RequestCounter implements ExecutionInterceptor {
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            counts.computeIfAbsent(context.request().getClass().getSimpleName(), k -> new AtomicInteger())
                    .incrementAndGet();
        }

        public int count(String requestClass) {
            AtomicInteger count = counts.get(requestClass);
            return count == null ? 0 : count.get();
        }

        public int puts() {
            return count("PutObjectRequest");
        }

        public void reset() {
            counts.clear();
        }
    }

    public static S3Client client(RequestCounter counter) {
        return S3Client.builder()
                .endpointOverride(server().endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .forcePathStyle(true)
                .httpClient(Apache5HttpClient.create())
                .overrideConfiguration(config -> config.addExecutionInterceptor(counter))
                .build();
    }

    public static S3Presigner presigner() {
        return S3Presigner.builder()
                .endpointOverride(server().endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    public static void createBucket(S3Client s3, String bucket) {
        s3.createBucket(request -> request.bucket(bucket));
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY));
    }

    /** A picture with some structure (gradient and a rectangle), encoded as {@code format}. */
    public static byte[] image(String format, int width, int height, boolean alpha) {
        BufferedImage image =
                new BufferedImage(width, height, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setPaint(
                new GradientPaint(0, 0, Color.ORANGE, width, height, new Color(20, 40, 200, alpha ? 128 : 255)));
        graphics.fillRect(0, 0, width, height);
        graphics.setColor(Color.DARK_GRAY);
        graphics.fillRect(width / 4, height / 4, width / 2, height / 2);
        graphics.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, bytes)) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
