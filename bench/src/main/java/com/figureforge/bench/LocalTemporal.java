package com.figureforge.bench;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.net.ServerSocket;

/**
 * The Temporal test server as a real gRPC endpoint in the benchmark's JVM (the production jar has no
 * in-process server), with time skipping locked off and FigureForge's search attributes registered.
 */
final class LocalTemporal implements AutoCloseable {

    private final TestServer.PortBoundTestServer server;
    private final int port;

    private LocalTemporal(TestServer.PortBoundTestServer server, int port) {
        this.server = server;
        this.port = port;
    }

    static LocalTemporal start() {
        int port = freePort();
        LocalTemporal temporal = new LocalTemporal(TestServer.createPortBoundServer(port, true), port);
        WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(temporal.target())
                .build());
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
                .setChannel(service.getRawChannel())
                .validateAndBuildWithDefaults());
        var request = AddSearchAttributesRequest.newBuilder().setNamespace("default");
        for (var attribute : new String[] {
            FigureForgeSearchAttributes.USER_ID.getName(),
            FigureForgeSearchAttributes.JOB_STATUS.getName(),
            FigureForgeSearchAttributes.PLAN.getName()
        }) {
            request.putSearchAttributes(attribute, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        }
        operator.blockingStub().addSearchAttributes(request.build());
        operator.shutdown();
        service.shutdown();
        return temporal;
    }

    String target() {
        return "127.0.0.1:" + port;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
