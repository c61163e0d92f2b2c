package com.figureforge.app.devstack;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The Temporal Java test server on a loopback port, so the Temporal CLI (or any SDK client) on this
 * machine can attach to the local stack's Temporal: the same services the in-process server has, served
 * over gRPC on {@code 127.0.0.1} only ({@code TestServer.createPortBoundServer} binds every interface).
 * What the test server does and does not implement for such clients: docs/operations.md, "The local
 * one-process stack".
 */
public final class LocalTemporalServer implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private final TestServicesStarter services;
    private final Server server;

    private LocalTemporalServer(TestServicesStarter services, Server server) {
        this.services = services;
        this.server = server;
    }

    /**
     * Starts the server on {@code 127.0.0.1:port} (0: any free port).
     *
     * @param skipTime let the server's clock jump to the next timer when nothing runs (off: real time)
     */
    public static LocalTemporalServer start(int port, boolean skipTime) {
        TestServicesStarter services = new TestServicesStarter(!skipTime, 0);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(HOST, port));
        GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
        try {
            return new LocalTemporalServer(services, builder.build().start());
        } catch (IOException e) {
            services.close();
            throw new UncheckedIOException("Temporal test server could not listen on " + HOST + ":" + port, e);
        }
    }

    /** {@code host:port}, what {@code temporal --address} and an SDK's target take. */
    public String target() {
        return HOST + ":" + port();
    }

    public int port() {
        return server.getPort();
    }

    /** The addresses the server listens on (for the test that it is loopback only). */
    public java.util.List<? extends java.net.SocketAddress> listenAddresses() {
        return server.getListenSockets();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        services.close();
    }
}
