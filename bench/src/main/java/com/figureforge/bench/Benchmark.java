package com.figureforge.bench;

import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.app.devstack.DevStackServers;
import com.figureforge.devstack.s3.S3Server;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The benchmark (bench/README.md): starts the stand-ins (the dev stack's own {@link DevStackServers})
 * and a Temporal server in this JVM, the production jar in another, runs {@link Scenarios}, prints a
 * table ({@link BenchReport}) and writes {@code bench/results/<timestamp>.json}.
 */
public final class Benchmark {

    /** The container's settings (Dockerfile's JAVA_TOOL_OPTIONS) inside the chart's 1 GiB memory limit. */
    static final List<String> JVM_OPTIONS = List.of(
            "-XX:MaxRAM=1g",
            "-XX:MaxRAMPercentage=25.0",
            "-XX:InitialRAMPercentage=10.0",
            "-XX:MaxDirectMemorySize=128m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:ReservedCodeCacheSize=64m",
            "-XX:+ExitOnOutOfMemoryError");

    private static final String TABLE = "figureforge";
    private static final String BUCKET = "figureforge-images";

    /**
     * The measured process's options: the container's, plus {@code -Dbench.jvm="..."} (space separated)
     * for a profiling run, e.g. {@code -XX:StartFlightRecording=filename=ff.jfr,settings=profile}.
     */
    private static List<String> measuredJvmOptions() {
        List<String> options = new ArrayList<>(JVM_OPTIONS);
        String extra = System.getProperty("bench.jvm", "").strip();
        if (!extra.isEmpty()) {
            List<String> extras = List.of(extra.split("\\s+"));
            if (extras.stream().anyMatch(option -> option.matches("-XX:\\+Use\\w+GC"))) {
                options.removeIf(option -> option.matches("-XX:\\+Use\\w+GC")); // one collector only
            }
            options.addAll(extras);
        }
        return options;
    }

    public static void main(String[] args) {
        try {
            run();
            System.exit(0);
        } catch (Throwable failed) {
            failed.printStackTrace();
            System.exit(1); // the stand-ins' threads would keep the JVM alive
        }
    }

    private static void run() throws Exception {
        BenchSettings settings = BenchSettings.fromSystemProperties();
        Path jar = Path.of(System.getProperty("bench.app.jar")).toAbsolutePath().normalize();
        Path results = Path.of(System.getProperty("bench.results", "results")).toAbsolutePath();
        Path work = Path.of("target", "bench-run").toAbsolutePath();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("started_at", Instant.now().toString());
        report.put("machine", machine());
        report.put("settings", settings.describe());
        report.put("fal_completion", webhookMode() ? "webhook" : "status stream");

        DevStackServers servers = DevStackServers.shared(0);
        servers.fal().setConcurrency(settings.falConcurrency());
        try (LocalTemporal temporal = LocalTemporal.start()) {
            Map<String, String> properties = appProperties(servers, temporal, settings);
            Map<String, Object> startUp = new LinkedHashMap<>();
            // The measured process starts the way the image does: the extracted jar with an AOT cache
            // from a start-up training run. Without the "aot" scenario it is the fat jar, no cache.
            Path measuredJar = jar;
            List<String> measuredOptions = measuredJvmOptions();
            if (settings.scenarios().contains("aot")) {
                AotCache aot = timedStep("start-up: fat jar, extracted, AOT cache training", () -> {
                    try (var fat = FigureForgeProcess.start(
                            jar, startUpOptions(measuredOptions), properties, work.resolve("fat-jar.log"))) {
                        startUp.put("fat_jar_s", seconds(fat.startUp()));
                    }
                    return trainAotCache(jar, work, startUpOptions(measuredOptions), properties, startUp);
                });
                measuredJar = aot.launcher();
                measuredOptions.add("-XX:AOTCache=" + aot.cache());
            }
            try (FigureForgeProcess app = FigureForgeProcess.start(
                    measuredJar, measuredOptions, properties, work.resolve("figureforge.log"))) {
                startUp.put(
                        settings.scenarios().contains("aot") ? "extracted_aot_cache_s" : "fat_jar_s",
                        seconds(app.startUp()));
                DynamoDbClient dynamo = DynamoDbClient.builder()
                        .endpointOverride(servers.dynamo().endpoint())
                        .region(Region.US_EAST_1)
                        .credentialsProvider(credentials())
                        .httpClientBuilder(Apache5HttpClient.builder().maxConnections(64))
                        .build();
                S3Client s3 = S3Client.builder()
                        .endpointOverride(servers.s3().endpoint())
                        .region(Region.US_EAST_1)
                        .forcePathStyle(true)
                        .credentialsProvider(credentials())
                        .httpClientBuilder(Apache5HttpClient.builder().maxConnections(64))
                        .build();
                var scenarios = new Scenarios(
                        settings,
                        app,
                        new BenchClient(app.baseUrl(), servers.issuer()),
                        servers.fal(),
                        new DirectPipeline(servers.fal().baseUrl(), s3, BUCKET, dynamo, TABLE),
                        new JobRepository(dynamo, TABLE, Clock.systemUTC()),
                        new ImageRepository(dynamo, TABLE, Clock.systemUTC(), 8),
                        dynamo,
                        TABLE,
                        new JobTimeline(temporal.target()));
                if (settings.scenarios().contains("reads")) {
                    report.put("reads", timed("gallery and user images", scenarios::reads));
                }
                if (settings.scenarios().contains("latency")) {
                    report.put("job_latency", timed("job latency", scenarios::jobLatency));
                }
                if (settings.scenarios().contains("bursts")) {
                    report.put("bursts", timed("bursts", scenarios::bursts));
                }
                if (settings.scenarios().contains("generate")) {
                    report.put("generate", timed("generate at fixed rates", scenarios::generateRates));
                }
                report.put(
                        "figureforge",
                        Map.of("peak_rss_mib_whole_run", app.peakRssMiB(), "cpu_ms_whole_run", app.cpuMillis()));
            }
            if (settings.scenarios().contains("generate")) {
                Path launcher = measuredJar;
                List<String> options = measuredOptions;
                report.put(
                        "generate_api_role",
                        timed(
                                "generate at fixed rates, api role alone",
                                () -> generateOnApiRole(launcher, options, properties, servers, work, settings)));
            }
            report.put("start_up", startUp);
        }
        report.put("finished_at", Instant.now().toString());

        Files.createDirectories(results);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now());
        Path file = results.resolve(stamp + (settings.quick() ? "-quick" : "") + ".json");
        Files.writeString(
                file, BenchClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        System.out.println(BenchReport.table(report));
        System.out.println("Written: " + file);
    }

    /**
     * The same arrivals against a process of the api role alone, as the chart deploys it (workers in
     * their own pods). It runs after the both-roles process has stopped, so no worker here takes up
     * the jobs: they wait in Temporal, and the figures are the API's own cost (the stand-ins still hold
     * the earlier jobs: fal's queue, Temporal's open runs, the table). The process first serves one
     * pass at the lowest rate unmeasured ({@link GenerateArrivals#warmUp}).
     */
    private static Map<String, Object> generateOnApiRole(
            Path launcher,
            List<String> options,
            Map<String, String> properties,
            DevStackServers servers,
            Path work,
            BenchSettings settings) {
        Map<String, String> apiRole = new LinkedHashMap<>(properties);
        apiRole.put("spring.profiles.active", "api");
        try (FigureForgeProcess api = FigureForgeProcess.start(
                launcher, startUpOptions(options), apiRole, work.resolve("figureforge-api.log"))) {
            BenchClient client = new BenchClient(api.baseUrl(), servers.issuer());
            String run = UUID.randomUUID().toString().substring(0, 6);
            AtomicLong users = new AtomicLong();
            IntFunction<List<String>> newUsers = count -> {
                List<String> names = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    names.add("bench-api-" + run + "-" + users.incrementAndGet());
                }
                return Scenarios.mapParallel(names, client::newUser);
            };
            int warmUp = GenerateArrivals.warmUp(settings, client, newUsers);
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("warm_up_requests", warmUp);
            results.putAll(GenerateArrivals.measure(settings, api, client, newUsers));
            results.put("peak_rss_mib", api.peakRssMiB());
            return results;
        }
    }

    /** The extracted jar's launcher and the AOT cache trained for it. */
    private record AotCache(Path launcher, Path cache) {}

    /** The start-up runs use the measured options without a profiling recording. */
    private static List<String> startUpOptions(List<String> measured) {
        return measured.stream()
                .filter(option -> !option.startsWith("-XX:StartFlightRecording"))
                .toList();
    }

    /**
     * Extracts the jar (Spring Boot's layout for AOT), times its start-up, and trains a JDK AOT cache
     * with the same options, as the image's build does.
     */
    private static AotCache trainAotCache(
            Path jar, Path work, List<String> options, Map<String, String> properties, Map<String, Object> startUp)
            throws IOException, InterruptedException {
        Path extracted = work.resolve("extracted");
        deleteRecursively(extracted);
        Process extract = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-Djarmode=tools",
                        "-jar",
                        jar.toString(),
                        "extract",
                        "--destination",
                        extracted.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("extract.log").toFile())
                .start();
        if (extract.waitFor() != 0) {
            throw new IllegalStateException("extracting the jar failed; see " + work.resolve("extract.log"));
        }
        Path launcher = extracted.resolve(jar.getFileName());
        Path cache = work.resolve("figureforge.aot");
        Files.deleteIfExists(cache);
        try (var plain = FigureForgeProcess.start(launcher, options, properties, work.resolve("extracted.log"))) {
            startUp.put("extracted_s", seconds(plain.startUp()));
        }
        List<String> training = new ArrayList<>(options);
        training.add("-XX:AOTCacheOutput=" + cache);
        FigureForgeProcess.runToExit(launcher, training, properties, work.resolve("aot-training.log"));
        return new AotCache(launcher, cache);
    }

    private static Map<String, String> appProperties(
            DevStackServers servers, LocalTemporal temporal, BenchSettings settings) {
        Map<String, String> properties = new LinkedHashMap<>();
        servers.properties().forEach((key, value) -> properties.put(key, value.toString()));
        properties.put("spring.temporal.connection.target", temporal.target());
        // The emulated fal account runs C requests at once; FigureForge is configured to match.
        properties.put("figureforge.fal.max-concurrent-calls", Integer.toString(settings.falConcurrency()));
        // The limiter stays on (its writes are part of the cost) but never refuses the load generator,
        // which sends every user's traffic from one address.
        for (String policy : List.of("user", "gallery", "generate")) {
            properties.put("figureforge.rate-limits.policies." + policy + ".windows[0].requests", "100000000");
            properties.put("figureforge.rate-limits.policies." + policy + ".windows[0].per", "1m");
        }
        properties.put("logging.level.root", "WARN");
        if (webhookMode()) {
            // fal's completion webhook to FigureForge's own API, as a deployment with a public URL runs;
            // FigureForgeProcess puts the port it picked in place of {port}.
            properties.put("figureforge.fal.webhook-url", "http://127.0.0.1:{port}");
        }
        // -Dbench.ff=name=value,name=value sets FigureForge properties for a run.
        for (String setting : System.getProperty("bench.ff", "").split(",")) {
            int equals = setting.indexOf('=');
            if (equals > 0) {
                properties.put(
                        setting.substring(0, equals).strip(),
                        setting.substring(equals + 1).strip());
            }
        }
        return properties;
    }

    /** {@code -Dbench.fal.webhook=true}: jobs learn of fal's completion from its webhook, not its status stream. */
    private static boolean webhookMode() {
        return Boolean.getBoolean("bench.fal.webhook");
    }

    private static Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("cpu_model", firstLine("/proc/cpuinfo", "model name"));
        machine.put("memory", firstLine("/proc/meminfo", "MemTotal"));
        machine.put(
                "load_average_at_start",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return machine;
    }

    private static String firstLine(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of(file)).stream()
                    .filter(line -> line.startsWith(prefix))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static <T> T timed(String what, Supplier<T> scenario) {
        System.out.println("Running: " + what);
        long start = System.nanoTime();
        T result = scenario.get();
        System.out.printf("  done in %.0f s%n", (System.nanoTime() - start) / 1e9);
        return result;
    }

    private interface Step<T> {
        T run() throws Exception;
    }

    private static <T> T timedStep(String what, Step<T> step) {
        return timed(what, (Supplier<T>) () -> {
            try {
                return step.run();
            } catch (Exception e) {
                throw new IllegalStateException(what + " failed", e);
            }
        });
    }

    private static double seconds(java.time.Duration duration) {
        return Latencies.round(duration.toMillis() / 1000.0);
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
