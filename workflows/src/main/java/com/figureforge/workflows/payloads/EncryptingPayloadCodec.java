package com.figureforge.workflows.payloads;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts every payload (workflow and activity inputs and results, signals, queries, memo, failure
 * details) with AES-256-GCM before it leaves the process, so the Temporal server and its database hold
 * ciphertext only. The whole serialized payload (its metadata included) is encrypted; the outer payload
 * says {@code encoding: binary/encrypted} and names the key in {@code encryption-key-id}. Data is a
 * random 12-byte nonce followed by the ciphertext and the 16-byte tag; the key id is authenticated too
 * (associated data), so moving a payload under another key id fails.
 *
 * <p>Payloads without that encoding are passed through on decode: histories written before encryption
 * was switched on still replay.
 */
public final class EncryptingPayloadCodec implements PayloadCodec {

    public static final String METADATA_ENCODING = "encoding";
    public static final String ENCODING = "binary/encrypted";
    public static final String METADATA_KEY_ID = "encryption-key-id";

    static final String CIPHER = "AES/GCM/NoPadding";
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;

    private static final ByteString ENCODING_BYTES = ByteString.copyFromUtf8(ENCODING);

    private final PayloadKeys keys;
    private final SecureRandom random = new SecureRandom();

    public EncryptingPayloadCodec(PayloadKeys keys) {
        this.keys = keys;
    }

    @Override
    public List<Payload> encode(List<Payload> payloads) {
        PayloadKeys.NamedKey key = keys.encryptionKey();
        return payloads.stream().map(payload -> encrypt(payload, key)).toList();
    }

    @Override
    public List<Payload> decode(List<Payload> payloads) {
        return payloads.stream().map(this::decrypt).toList();
    }

    /** Whether this payload is one the codec encrypted. */
    public static boolean isEncrypted(Payload payload) {
        return ENCODING_BYTES.equals(payload.getMetadataOrDefault(METADATA_ENCODING, ByteString.EMPTY));
    }

    private Payload encrypt(Payload payload, PayloadKeys.NamedKey key) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, key.key(), nonce, key.id());
            byte[] sealed = cipher.doFinal(payload.toByteArray());
            return Payload.newBuilder()
                    .putMetadata(METADATA_ENCODING, ENCODING_BYTES)
                    .putMetadata(METADATA_KEY_ID, ByteString.copyFromUtf8(key.id()))
                    .setData(ByteString.copyFrom(ByteBuffer.allocate(nonce.length + sealed.length)
                            .put(nonce)
                            .put(sealed)
                            .flip()))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new PayloadCodecException("payload encryption failed with key " + key.id(), e);
        }
    }

    private Payload decrypt(Payload payload) {
        if (!isEncrypted(payload)) {
            return payload;
        }
        String keyId =
                payload.getMetadataOrDefault(METADATA_KEY_ID, ByteString.EMPTY).toStringUtf8();
        SecretKey key = keys.decryptionKey(keyId)
                .orElseThrow(() -> new PayloadCodecException(
                        "payload encrypted with unknown key id '" + keyId + "': configure it as a retired key"));
        byte[] data = payload.getData().toByteArray();
        if (data.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new PayloadCodecException("encrypted payload is too short (key " + keyId + ")");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, Arrays.copyOf(data, NONCE_BYTES), keyId);
            return Payload.parseFrom(cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES));
        } catch (GeneralSecurityException e) {
            throw new PayloadCodecException("encrypted payload failed authentication (key " + keyId + ")", e);
        } catch (InvalidProtocolBufferException e) {
            throw new PayloadCodecException("decrypted payload is not a payload (key " + keyId + ")", e);
        }
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] nonce, String keyId) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(CIPHER);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
