package com.figureforge.workflows.generation;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.workflows.generation.JobStoreActivities.MarkRunningInput;
import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DefaultDataConverter;
import org.junit.jupiter.api.Test;

/** Payloads that runs started by earlier code still hand to the activity workers after a deploy. */
class JobStorePayloadsTest {

    @Test
    void aMarkRunningTaskScheduledWithTheFormerFalRequestIdStillDecodes() {
        Payload scheduledByEarlierCode = Payload.newBuilder()
                .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
                .setData(ByteString.copyFromUtf8("{\"jobId\":\"job-1\",\"falRequestId\":\"req-1\"}"))
                .build();

        MarkRunningInput input = DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                scheduledByEarlierCode, MarkRunningInput.class, MarkRunningInput.class);

        assertThat(input).isEqualTo(new MarkRunningInput("job-1"));
    }
}
