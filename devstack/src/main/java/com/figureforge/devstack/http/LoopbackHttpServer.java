package com.figureforge.devstack.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The HTTP server every emulator runs on: the JDK's server bound to the loopback interface (stand-ins
 * must not be reachable from the network), one virtual thread per exchange, the request body read
 * before the handler runs, and an unexpected failure answered as a 500 in the emulator's own error
 * shape instead of a dropped connection.
 */
public final class LoopbackHttpServer implements AutoCloseable {

    /** Serves one exchange; the server closes it afterwards. */
    @FunctionalInterface
    public interface Handler {
        void handle(HttpExchange exchange, byte[] body) throws IOException;
    }

    private static final Logger log = LoggerFactory.getLogger(LoopbackHttpServer.class);

    private final String name;
    private final HttpServer server;
    private final ExecutorService executor;
    private final JsonNode internalError;

    private LoopbackHttpServer(String name, HttpServer server, ExecutorService executor, JsonNode internalError) {
        this.name = name;
        this.server = server;
        this.executor = executor;
        this.internalError = internalError;
    }

    /**
     * Binds {@code name} (used in logs) to the given loopback port (0 = a free one) without serving
     * yet, so the emulator can hold the server (and its port) before the first request arrives. A
     * handler that throws gets {@code internalError} sent as a JSON 500.
     */
    public static LoopbackHttpServer bind(String name, int port, JsonNode internalError) {
        return bind(name, InetAddress.getLoopbackAddress(), port, internalError);
    }

    /**
     * Binds to another interface: only the stand-ins container ({@code StandIns}) does this, to be
     * reachable from the other containers of its private network.
     */
    public static LoopbackHttpServer bind(String name, InetAddress host, int port, JsonNode internalError) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
            return new LoopbackHttpServer(name, server, Executors.newVirtualThreadPerTaskExecutor(), internalError);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the " + name + " on port " + port, e);
        }
    }

    /** Starts serving every path with {@code handler}. */
    public void start(Handler handler) {
        server.createContext("/", exchange -> serve(exchange, handler));
        server.setExecutor(executor);
        server.start();
        log.info("{} listening on {}", name, baseUrl());
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URL as the client addressed it ({@code Host}), so URLs in answers also work behind another name. */
    public String baseUrlSeenBy(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        return host == null || host.isBlank() ? baseUrl().toString() : "http://" + host;
    }

    private void serve(HttpExchange exchange, Handler handler) throws IOException {
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            handler.handle(exchange, body);
        } catch (RuntimeException e) {
            log.error("{} failed on {} {}", name, exchange.getRequestMethod(), exchange.getRequestURI(), e);
            HttpAnswers.json(exchange, 500, internalError);
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
