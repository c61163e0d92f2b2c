package com.figureforge.devstack.dynamodb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DynamoDB-compatible HTTP server (dynalite, in memory) run as a child process.
 *
 * <p>Why not DynamoDB Local: its licence is the vendor's own, not an open-source one, and this
 * project may not ship or fetch it. dynalite is MIT licensed and speaks the same wire protocol,
 * including conditional writes, update expressions, GSIs and paginated queries; it lacks
 * transactions and TTL, so the data layer uses neither on a request path (docs/decisions.md).
 *
 * <p>dynalite comes from the npm registry: the first start installs the pinned lock file into a
 * cache directory (a couple of seconds); later starts reuse it. Needs {@code node} and {@code npm}
 * (Node.js 18 or newer) on the PATH.
 */
public final class DynamoDbServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DynamoDbServer.class);
    private static final String RESOURCE_DIR = "/devstack/dynalite/";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final int port;

    private DynamoDbServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a fresh, empty in-memory server on a free loopback port. */
    public static DynamoDbServer start() {
        Path home = install();
        int port = FreePorts.pick();
        List<String> command = List.of(
                "node",
                home.resolve("node_modules/dynalite/cli.js").toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--createTableMs",
                "0",
                "--deleteTableMs",
                "0",
                "--updateTableMs",
                "0");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            DynamoDbServer server = new DynamoDbServer(process, port);
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "dynalite-stop"));
            server.awaitListening();
            log.info("DynamoDB-compatible server (dynalite) listening on {}", server.endpoint());
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start dynalite (is Node.js on the PATH?)", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("dynalite exited with code " + process.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        close();
        throw new IllegalStateException("dynalite did not listen on port " + port + " within " + START_TIMEOUT);
    }

    /** Installs the pinned dynalite into a per-user cache once, guarded by a file lock across JVMs. */
    private static Path install() {
        try {
            String lock = new String(resource("package-lock.json").readAllBytes());
            Path home = cacheRoot().resolve("dynalite-" + Integer.toHexString(lock.hashCode()));
            Files.createDirectories(home);
            try (FileChannel channel = FileChannel.open(
                            home.resolve(".install.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    var ignored = channel.lock()) {
                if (Files.exists(home.resolve("node_modules/dynalite/cli.js"))) {
                    return home;
                }
                for (String file : List.of("package.json", "package-lock.json")) {
                    try (InputStream in = resource(file)) {
                        Files.copy(in, home.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                log.info("Installing dynalite into {} (first run only)", home);
                Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
                        .directory(home.toFile())
                        .redirectErrorStream(true)
                        .start();
                String output = new String(npm.getInputStream().readAllBytes());
                if (npm.waitFor() != 0) {
                    throw new IllegalStateException("npm ci for dynalite failed:\n" + output);
                }
                return home;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not install dynalite (are node and npm on the PATH?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path cacheRoot() {
        String configured = System.getenv("FIGUREFORGE_DEVSTACK_CACHE");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "figureforge");
    }

    private static InputStream resource(String name) {
        InputStream in = DynamoDbServer.class.getResourceAsStream(RESOURCE_DIR + name);
        if (in == null) {
            throw new IllegalStateException("missing classpath resource " + RESOURCE_DIR + name);
        }
        return in;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Free loopback ports for servers that cannot bind port 0 themselves. */
    static final class FreePorts {
        private FreePorts() {}

        static int pick() {
            try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
