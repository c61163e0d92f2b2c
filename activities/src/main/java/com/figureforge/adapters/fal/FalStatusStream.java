package com.figureforge.adapters.fal;

import com.figureforge.workflows.FailureType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Function;

/**
 * One open fal status stream: server-sent events whose {@code data:} lines carry the status object
 * (the same fields as a status call). Comment lines ({@code : ...}) are fal's keep-alives, sent every
 * 15 seconds. Not thread-safe, except {@link #close()} and {@link #lastReceived()}, which another thread
 * may call to stop a blocked reader or to notice a stream gone silent.
 */
public final class FalStatusStream implements AutoCloseable {

    /** One event's data is a small status object; a bigger one is not fal's. */
    private static final int MAX_EVENT_CHARS = 64 * 1024;

    private final InputStream body;
    private final BufferedReader reader;
    private final Function<byte[], FalStatus> parse;
    private volatile Instant lastReceived = Instant.now();

    FalStatusStream(InputStream body, Function<byte[], FalStatus> parse) {
        this.body = body;
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        this.parse = parse;
    }

    /**
     * Blocks until the next status event.
     *
     * @return the status, or null when fal closed the stream
     * @throws FalException {@code FAL_UNAVAILABLE} when the connection breaks or an event is not a status
     */
    public FalStatus next() {
        StringBuilder data = new StringBuilder();
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                lastReceived = Instant.now();
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        return parse.apply(data.toString().getBytes(StandardCharsets.UTF_8));
                    }
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                    if (data.length() > MAX_EVENT_CHARS) {
                        throw new FalException(
                                FailureType.FAL_UNAVAILABLE, "fal.ai status stream sent an oversized event", null);
                    }
                }
                // ": keep-alive" comments, "event:", "id:" and "retry:" lines carry nothing we need
            }
        } catch (IOException e) {
            throw new FalException(FailureType.FAL_UNAVAILABLE, "fal.ai status stream broke: " + e, e);
        }
        return data.isEmpty() ? null : parse.apply(data.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** When the last line (an event or a keep-alive) arrived. */
    public Instant lastReceived() {
        return lastReceived;
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // closing a stream we are done with: nothing left to do
        }
    }
}
