package com.figureforge.workflows.payloads;

import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.JacksonJsonPayloadConverter;

/**
 * Temporal's default data converter with one change to its JSON converter: Jackson's working buffers
 * come from one small shared pool instead of one set per thread. The JSON written is Temporal's
 * default, byte for byte (the same {@link ObjectMapper} settings), so histories replay unchanged.
 *
 * <p>Why: Jackson 2 keeps a set of buffers (about 20 KB) in a thread-local for every thread that ever
 * converted a payload. Every cached workflow holds a platform thread and every running activity a
 * virtual thread, so the sets grew with the open jobs: a heap dump at about a thousand open jobs found
 * 650 of them, 13 MB. A shared pool keeps at most {@link #POOLED_BUFFER_SETS}, however many threads.
 */
public final class PayloadJson {

    /** Sets kept for reuse; a conversion that finds none allocates one and may return it. */
    static final int POOLED_BUFFER_SETS = 16;

    private PayloadJson() {}

    /** Temporal's default converter, its JSON converter's buffers pooled. */
    public static DataConverter dataConverter() {
        return DefaultDataConverter.newDefaultInstance().withPayloadConverterOverrides(jsonConverter());
    }

    private static JacksonJsonPayloadConverter jsonConverter() {
        return new JacksonJsonPayloadConverter(objectMapper());
    }

    /** Temporal's default mapper ({@link JacksonJsonPayloadConverter#newDefaultObjectMapper}), pooled. */
    static ObjectMapper objectMapper() {
        ObjectMapper mapper = JacksonJsonPayloadConverter.newDefaultObjectMapper();
        mapper.getFactory().setRecyclerPool(JsonRecyclerPools.newBoundedPool(POOLED_BUFFER_SETS));
        return mapper;
    }
}
