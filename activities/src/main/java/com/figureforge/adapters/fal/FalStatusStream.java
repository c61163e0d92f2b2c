package com.figureforge.adapters.fal;

import com.figureforge.workflows.FailureType;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Function;

/**
 * One open fal status stream: server-sent events whose {@code data:} lines carry the status object
 * (the same fields as a status call). Comment lines ({@code : ...}) are fal's keep-alives, sent every
 * 15 seconds. Not thread-safe, except {@link #close()} and {@link #lastReceived()}, which another thread
 * may call to stop a blocked reader or to notice a stream gone silent.
 */
public final class FalStatusStream implements AutoCloseable {

    /** One event's data is a small status object; a bigger one is not fal's. */
    private static final int MAX_EVENT_BYTES = 64 * 1024;

    /** A line holds at most one event's data and its field name. */
    private static final int MAX_LINE_BYTES = MAX_EVENT_BYTES + 16;

    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

    private final InputStream body;

    /*
     * Lines are read as bytes through a small buffer: a worker follows up to 200 streams at once, and a
     * BufferedReader over an InputStreamReader held 24 KB of buffers per stream for events of a few
     * hundred bytes. Reading bytes also bounds a line that never ends.
     */
    private final BufferedInputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private boolean skipLineFeed;
    private final Function<byte[], FalStatus> parse;
    private volatile Instant lastReceived = Instant.now();

    FalStatusStream(InputStream body, Function<byte[], FalStatus> parse) {
        this.body = body;
        this.in = new BufferedInputStream(body, 512);
        this.parse = parse;
    }

    /**
     * Blocks until the next status event.
     *
     * @return the status, or null when fal closed the stream
     * @throws FalException {@code FAL_UNAVAILABLE} when the connection breaks or an event is not a status
     */
    public FalStatus next() {
        ByteArrayOutputStream data = new ByteArrayOutputStream(256);
        boolean anyData = false;
        try {
            while (readLine()) {
                lastReceived = Instant.now();
                byte[] bytes = line.toByteArray();
                if (bytes.length == 0) {
                    if (data.size() > 0) {
                        return parse.apply(data.toByteArray());
                    }
                    anyData = false; // an event whose data is empty is not a status: skip it
                } else if (Arrays.equals(bytes, 0, Math.min(bytes.length, DATA.length), DATA, 0, DATA.length)) {
                    if (anyData) {
                        data.write('\n');
                    }
                    int from = bytes.length > DATA.length && bytes[DATA.length] == ' ' ? DATA.length + 1 : DATA.length;
                    data.write(bytes, from, bytes.length - from);
                    anyData = true;
                    if (data.size() > MAX_EVENT_BYTES) {
                        throw oversized();
                    }
                }
                // ": keep-alive" comments, "event:", "id:" and "retry:" lines carry nothing we need
            }
        } catch (IOException e) {
            throw new FalException(FailureType.FAL_UNAVAILABLE, "fal.ai status stream broke: " + e, e);
        }
        return data.size() > 0 ? parse.apply(data.toByteArray()) : null;
    }

    /**
     * Reads the next line into {@link #line}, without its end (LF, CRLF or CR, as server-sent events
     * allow); false at the end of the stream with nothing read. A CR returns at once (fal may send nothing
     * more for a while); a LF right after it is skipped on the next call.
     */
    private boolean readLine() throws IOException {
        line.reset();
        int b;
        while ((b = in.read()) != -1) {
            if (skipLineFeed) {
                skipLineFeed = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n') {
                return true;
            }
            if (b == '\r') {
                skipLineFeed = true;
                return true;
            }
            if (line.size() >= MAX_LINE_BYTES) {
                throw oversized();
            }
            line.write(b);
        }
        return line.size() > 0;
    }

    private static FalException oversized() {
        return new FalException(FailureType.FAL_UNAVAILABLE, "fal.ai status stream sent an oversized event", null);
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
