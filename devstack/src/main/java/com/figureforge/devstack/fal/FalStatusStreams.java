package com.figureforge.devstack.fal;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET .../requests/{id}/status/stream}: server-sent events as fal sends them. Each event's {@code
 * data:} line is the status object of a status call; an event goes out whenever the status (or queue
 * position) changes, a comment line keeps the connection open every {@link #KEEP_ALIVE}, and the server
 * closes the stream after the {@code COMPLETED} event.
 */
final class FalStatusStreams {

    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    /** How often a waiting stream looks again (a cancel or a queue move can change the status any time). */
    private static final Duration LOOK_AGAIN = Duration.ofMillis(100);

    private FalStatusStreams() {}

    static void stream(
            HttpExchange exchange, Clock clock, QueuedFalRequest request, Function<Instant, ObjectNode> statusAt)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        String sent = null;
        Instant lastWrite = clock.instant();
        try {
            while (true) {
                Instant now = clock.instant();
                ObjectNode status = statusAt.apply(now);
                String data = status.toString();
                if (!data.equals(sent)) {
                    write(out, "data: " + data + "\n\n");
                    sent = data;
                    lastWrite = now;
                    if ("COMPLETED".equals(status.path("status").asString())) {
                        return;
                    }
                } else if (Duration.between(lastWrite, now).compareTo(KEEP_ALIVE) >= 0) {
                    write(out, ": keep-alive\n\n");
                    lastWrite = now;
                }
                // Wake at the request's next phase change, so COMPLETED goes out the moment it happens.
                Instant next = request.nextChange(now);
                long sleep = next == null
                        ? LOOK_AGAIN.toMillis()
                        : Math.clamp(Duration.between(now, next).toMillis() + 1, 1, LOOK_AGAIN.toMillis());
                Thread.sleep(sleep);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientGone) {
            // the client closed the stream: nothing left to send
        } finally {
            out.close();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
