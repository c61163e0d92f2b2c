package com.figureforge.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * FigureForge as it ships: the production jar in its own JVM, both roles in one process, pointed at
 * the stand-ins. Its CPU time and memory come from {@code /proc/<pid>}, so the benchmark's own work
 * (stand-ins, load generator) is never counted.
 */
final class FigureForgeProcess implements AutoCloseable {

    /** Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ, 100 on Linux). */
    private static final long TICKS_PER_SECOND = 100;

    /** The image's environment that shapes memory (Dockerfile): glibc keeps two malloc arenas, not 8 per core. */
    static final Map<String, String> CONTAINER_ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

    private final Process process;
    private final int port;
    private final int managementPort;
    private final Duration startUp;

    private FigureForgeProcess(Process process, int port, int managementPort, Duration startUp) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.startUp = startUp;
    }

    /**
     * Starts the jar with the given JVM options and properties and waits until {@code /readyz} answers
     * 200; the time that took is {@link #startUp()}.
     */
    static FigureForgeProcess start(
            Path jarOrLauncher, List<String> jvmOptions, Map<String, String> properties, Path log) {
        int port = LocalTemporal.freePort();
        int managementPort = LocalTemporal.freePort();
        List<String> command = command(jarOrLauncher, jvmOptions, properties, port, managementPort);
        long started = System.nanoTime();
        Process process;
        try {
            Files.createDirectories(log.getParent());
            process = launch(command, log);
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + command, e);
        }
        awaitReady(process, port, log);
        return new FigureForgeProcess(process, port, managementPort, Duration.ofNanos(System.nanoTime() - started));
    }

    /** Runs the jar until its context has refreshed and it exits (an AOT cache training run). */
    static void runToExit(Path jar, List<String> jvmOptions, Map<String, String> properties, Path log) {
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Dspring.context.exit=onRefresh");
        List<String> command = command(jar, options, properties, 0, 0);
        try {
            Process process = launch(command, log);
            if (!process.waitFor(Duration.ofMinutes(3).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the training run did not exit; see " + log);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The command with the image's environment, its output (and errors) into {@code log}. */
    private static Process launch(List<String> command, Path log) throws IOException {
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(CONTAINER_ENVIRONMENT);
        return builder.start();
    }

    private static List<String> command(
            Path jar, List<String> jvmOptions, Map<String, String> properties, int port, int managementPort) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        properties.forEach(
                (key, value) -> command.add("-D" + key + "=" + value.replace("{port}", Integer.toString(port))));
        command.add("-Dserver.port=" + port);
        command.add("-Dmanagement.server.port=" + managementPort);
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    private static void awaitReady(Process process, int port, Path log) {
        HttpClient http = HttpClient.newHttpClient();
        URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("FigureForge exited with " + process.exitValue() + "; see " + log);
            }
            try {
                var answer = http.send(
                        HttpRequest.newBuilder(readyz)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(50);
        }
        process.destroyForcibly();
        throw new IllegalStateException("FigureForge was not ready within 3 minutes; see " + log);
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    Duration startUp() {
        return startUp;
    }

    /** User plus system CPU time of the process so far, in milliseconds. */
    long cpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // Fields after the command (which may hold spaces) start after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
            return ticks * 1000 / TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Temporal worker's counts so far, from the process's own metrics. */
    WorkerCounts workerCounts() {
        return WorkerCounts.read(managementPort);
    }

    /** Resident set size now ({@code VmRSS}), in MiB. */
    long rssMiB() {
        return statusKiB("VmRSS:") / 1024;
    }

    /** The peak resident set size since start ({@code VmHWM}), in MiB. */
    long peakRssMiB() {
        return statusKiB("VmHWM:") / 1024;
    }

    private long statusKiB(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(
                            line.substring(field.length()).replace("kB", "").trim());
                }
            }
            return -1;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
