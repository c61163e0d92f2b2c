package com.figureforge.adapters.fal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.workflows.FailureType;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FalStatusStreamTest {

    /** Each event's data as text, as the stream handed it to the parser. */
    private final List<String> parsed = new ArrayList<>();

    private FalStatusStream stream(InputStream body) {
        return new FalStatusStream(body, data -> {
            String text = new String(data, StandardCharsets.UTF_8);
            parsed.add(text);
            return new FalStatus(FalStatus.IN_QUEUE, 0);
        });
    }

    private FalStatusStream stream(String body) {
        return stream(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void eventsEndAtABlankLineWhateverTheLineEnds() {
        FalStatusStream events = stream(": keep-alive\n\n"
                + "data: {\"a\":1}\n\n"
                + "event: status\r\ndata:{\"b\":2}\r\n\r\n"
                + "id: 7\rdata: {\"c\":\"ünï\"}\r\r");
        events.next();
        events.next();
        events.next();
        assertThat(events.next()).isNull();
        assertThat(parsed).containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":\"ünï\"}");
    }

    @Test
    void anEventWithoutDataIsNotAStatus() {
        FalStatusStream events = stream("data:\n\nevent: ping\n\ndata: {\"a\":1}\n\n");
        events.next();
        assertThat(parsed).containsExactly("{\"a\":1}");
    }

    @Test
    void dataLinesOfOneEventAreJoinedByNewlines() {
        FalStatusStream events = stream("data: {\"a\":\ndata: 1}\n\n");
        events.next();
        assertThat(parsed).containsExactly("{\"a\":\n1}");
    }

    @Test
    void anEventCutOffByTheEndOfTheStreamIsStillRead() {
        FalStatusStream events = stream("data: {\"last\":true}");
        events.next();
        assertThat(events.next()).isNull();
        assertThat(parsed).containsExactly("{\"last\":true}");
    }

    @Test
    void anOversizedEventIsRefused() {
        String line = "data: " + "x".repeat(40_000) + "\n";
        FalStatusStream events = stream(line + line + "\n");
        assertThatThrownBy(events::next)
                .isInstanceOfSatisfying(
                        FalException.class, e -> assertThat(e.type()).isEqualTo(FailureType.FAL_UNAVAILABLE))
                .hasMessageContaining("oversized");
        assertThat(parsed).isEmpty();
    }

    @Test
    @Timeout(10)
    void aLineThatNeverEndsIsRefusedWithoutReadingItAll() {
        // An endless line: before the bound, the reader would have kept all of it in memory.
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };
        FalStatusStream events = stream(new SequenceInputStream(
                new ByteArrayInputStream("data: ".getBytes(StandardCharsets.US_ASCII)), endless));
        assertThatThrownBy(events::next).isInstanceOf(FalException.class).hasMessageContaining("oversized");
    }
}
