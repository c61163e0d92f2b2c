package com.figureforge.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Replay tests' shared moves: histories recorded from earlier builds live under
 * {@code src/test/resources/histories/}; {@code -Dfigureforge.recordHistories=true} records a fresh one
 * in their place (only after an intended, versioned change).
 */
public final class RecordedHistories {

    private RecordedHistories() {}

    /** Replays the recorded history at {@code resource} against today's workflow code. */
    public static void replayRecorded(String resource, Class<?> workflowImplementation) throws Exception {
        String json;
        try (InputStream in = RecordedHistories.class.getResourceAsStream(resource)) {
            assertThat(in).as("recorded history " + resource).isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        WorkflowReplayer.replayWorkflowExecution(json, workflowImplementation);
    }

    /** Replays a history just produced, and records it at {@code resource} when asked to. */
    public static void replayFresh(WorkflowExecutionHistory history, String resource, Class<?> workflowImplementation)
            throws Exception {
        WorkflowReplayer.replayWorkflowExecution(history, workflowImplementation);
        if (Boolean.getBoolean("figureforge.recordHistories")) {
            Path target = Path.of("src/test/resources" + resource);
            Files.createDirectories(target.getParent());
            Files.writeString(target, history.toJson(true));
        }
    }
}
