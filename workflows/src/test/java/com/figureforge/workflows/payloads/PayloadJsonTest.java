package com.figureforge.workflows.payloads;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.figureforge.workflows.generation.FalImageRequest;
import com.figureforge.workflows.generation.FalSubmission;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.ImageGenerationInput;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class PayloadJsonTest {

    record Timestamped(Instant at, Optional<String> note, Map<String, Integer> counts) {}

    private static final List<Object> VALUES = List.of(
            new ImageGenerationInput(
                    "01a22a21-4fb6-7c00-81b6-c7289069d398",
                    "user-1",
                    new FalImageRequest(
                            "fal-ai/flux/dev", "a figure, \"quoted\", ünïcode", "portrait_4_3", 42, 4, true, "png"),
                    600),
            new FalSubmission("req-1", "https://queue.fal.run/s", "https://queue.fal.run/r", "https://queue.fal.run/c"),
            new Timestamped(Instant.parse("2026-11-30T01:02:03.456Z"), Optional.of("n"), Map.of("a", 1)),
            "x".repeat(20_000),
            List.of(1, 2, 3));

    @Test
    void writesExactlyTheBytesOfTemporalsDefaultConverterAndReadsThemBack() {
        DataConverter pooled = PayloadJson.dataConverter();
        DataConverter temporalDefault = DefaultDataConverter.newDefaultInstance();
        for (Object value : VALUES) {
            Payload ours = pooled.toPayload(value).orElseThrow();
            assertThat(ours)
                    .as("%s", value.getClass())
                    .isEqualTo(temporalDefault.toPayload(value).orElseThrow());
            assertThat(pooled.fromPayload(ours, value.getClass(), value.getClass()))
                    .isEqualTo(value);
        }
    }

    @Test
    void manyThreadsShareAtMostTheBoundedNumberOfBufferSets() throws Exception {
        ObjectMapper mapper = PayloadJson.objectMapper();
        RecyclerPool<BufferRecycler> pool = mapper.getFactory()._getRecyclerPool();
        int threads = 64;
        CountDownLatch allConverting = new CountDownLatch(threads);
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            started.add(Thread.ofVirtual().start(() -> {
                try {
                    allConverting.countDown();
                    allConverting.await();
                    for (Object value : VALUES) {
                        mapper.readValue(mapper.writeValueAsBytes(value), value.getClass());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread thread : started) {
            thread.join();
        }
        // A thread-local pool cannot count (-1); this one keeps what was given back, up to its bound.
        assertThat(pool.pooledCount()).isBetween(1, PayloadJson.POOLED_BUFFER_SETS);
    }
}
