package com.figureforge.workflows.payloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.payload.codec.PayloadCodecException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EncryptingPayloadCodecTest {

    static final String KEY_2025 = randomKey();
    static final String KEY_2026 = randomKey();

    private final EncryptingPayloadCodec codec2025 =
            new EncryptingPayloadCodec(new ConfiguredPayloadKeys("k2025", KEY_2025, Map.of()));
    private final Payload prompt = json("{\"prompt\":\"a dancer mid-leap, Jane Doe's reference\"}");

    static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    static Payload json(String text) {
        return Payload.newBuilder()
                .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
                .setData(ByteString.copyFromUtf8(text))
                .build();
    }

    @Test
    void encodeThenDecodeGivesTheSamePayloadAndTheServerSeesNoPlaintext() {
        Payload encrypted = codec2025.encode(List.of(prompt)).get(0);

        assertThat(encrypted.getMetadataMap())
                .containsEntry("encoding", ByteString.copyFromUtf8("binary/encrypted"))
                .containsEntry("encryption-key-id", ByteString.copyFromUtf8("k2025"))
                .hasSize(2);
        assertThat(encrypted.getData().toStringUtf8()).doesNotContain("dancer", "Jane", "json/plain");
        assertThat(codec2025.decode(List.of(encrypted))).containsExactly(prompt);
    }

    @Test
    void everyEncodeUsesAFreshNonce() {
        Payload first = codec2025.encode(List.of(prompt)).get(0);
        Payload second = codec2025.encode(List.of(prompt)).get(0);

        assertThat(first.getData()).isNotEqualTo(second.getData());
        assertThat(first.getData().substring(0, EncryptingPayloadCodec.NONCE_BYTES))
                .isNotEqualTo(second.getData().substring(0, EncryptingPayloadCodec.NONCE_BYTES));
    }

    @Test
    void aFlippedBitAnywhereIsDetected() {
        Payload encrypted = codec2025.encode(List.of(prompt)).get(0);
        byte[] data = encrypted.getData().toByteArray();
        for (int i : new int[] {0, EncryptingPayloadCodec.NONCE_BYTES, data.length / 2, data.length - 1}) {
            byte[] tampered = data.clone();
            tampered[i] ^= 0x01;
            Payload forged =
                    encrypted.toBuilder().setData(ByteString.copyFrom(tampered)).build();
            assertThatThrownBy(() -> codec2025.decode(List.of(forged)))
                    .as("byte " + i)
                    .isInstanceOf(PayloadCodecException.class)
                    .hasMessageContaining("failed authentication");
        }
        Payload truncated = encrypted.toBuilder()
                .setData(encrypted.getData().substring(0, 20))
                .build();
        assertThatThrownBy(() -> codec2025.decode(List.of(truncated))).isInstanceOf(PayloadCodecException.class);
    }

    @Test
    void theKeyIdIsAuthenticated() {
        // Both ids name the same key: only the id in the metadata changes, and that alone must fail.
        var keys = new ConfiguredPayloadKeys("a", KEY_2025, Map.of("b", KEY_2025));
        var codec = new EncryptingPayloadCodec(keys);
        Payload encrypted = codec.encode(List.of(prompt)).get(0);
        Payload relabeled = encrypted.toBuilder()
                .putMetadata("encryption-key-id", ByteString.copyFromUtf8("b"))
                .build();

        assertThatThrownBy(() -> codec.decode(List.of(relabeled)))
                .isInstanceOf(PayloadCodecException.class)
                .hasMessageContaining("failed authentication");
    }

    @Test
    void anUnknownKeyIdIsAClearError() {
        Payload encrypted = codec2025.encode(List.of(prompt)).get(0);
        var other = new EncryptingPayloadCodec(new ConfiguredPayloadKeys("k2026", KEY_2026, Map.of()));

        assertThatThrownBy(() -> other.decode(List.of(encrypted)))
                .isInstanceOf(PayloadCodecException.class)
                .hasMessageContaining("unknown key id 'k2025'");
    }

    @Test
    void aRetiredKeyStillDecryptsButNoLongerEncrypts() {
        Payload old = codec2025.encode(List.of(prompt)).get(0);
        var rotated =
                new EncryptingPayloadCodec(new ConfiguredPayloadKeys("k2026", KEY_2026, Map.of("k2025", KEY_2025)));

        assertThat(rotated.decode(List.of(old))).containsExactly(prompt);
        assertThat(rotated.encode(List.of(prompt)).get(0).getMetadataMap())
                .containsEntry("encryption-key-id", ByteString.copyFromUtf8("k2026"));
    }

    @Test
    void payloadsWithoutTheEncryptionEncodingPassThrough() {
        Payload plainNull = Payload.newBuilder()
                .putMetadata("encoding", ByteString.copyFromUtf8("binary/null"))
                .build();
        Payload noMetadata =
                Payload.newBuilder().setData(ByteString.copyFromUtf8("x")).build();

        assertThat(codec2025.decode(List.of(prompt, plainNull, noMetadata)))
                .containsExactly(prompt, plainNull, noMetadata);
    }

    @Test
    void theDataConverterRoundTripsValuesThroughTheCodec() {
        DataConverter converter =
                PayloadEncryption.dataConverter(new ConfiguredPayloadKeys("k2025", KEY_2025, Map.of()));
        record Request(String prompt, int images) {}

        Payload payload = converter.toPayload(new Request("a dancer", 2)).orElseThrow();

        assertThat(EncryptingPayloadCodec.isEncrypted(payload)).isTrue();
        assertThat(converter.fromPayload(payload, Request.class, Request.class)).isEqualTo(new Request("a dancer", 2));
        Payload unencrypted = DefaultDataConverter.newDefaultInstance()
                .toPayload(new Request("old", 1))
                .orElseThrow();
        assertThat(converter.fromPayload(unencrypted, Request.class, Request.class))
                .isEqualTo(new Request("old", 1));
    }

    @Test
    void badKeysAreRefusedAtStartWithoutEchoingThem() {
        assertThatThrownBy(() -> new ConfiguredPayloadKeys("k", "c2hvcnQ=", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be 32 bytes")
                .hasMessageNotContaining("c2hvcnQ=");
        assertThatThrownBy(() -> new ConfiguredPayloadKeys(" ", KEY_2025, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConfiguredPayloadKeys("k", "not base64!", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base64");
        assertThatThrownBy(() -> new ConfiguredPayloadKeys("k", KEY_2025, Map.of("k", KEY_2026)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twice");
    }
}
