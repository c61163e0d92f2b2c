package com.figureforge.workflows.payloads;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/** Keys given as base64 strings (configuration): the current one plus retired ones that only decrypt. */
public final class ConfiguredPayloadKeys implements PayloadKeys {

    static final int KEY_BYTES = 32;

    private final NamedKey current;
    private final Map<String, SecretKey> all;

    /**
     * @param currentId the id of the key that encrypts
     * @param currentKey that key, base64 of 32 bytes
     * @param retired retired keys by id, base64 of 32 bytes each; decrypt only
     * @throws IllegalArgumentException on a blank id, a key that is not 32 bytes, or a retired id that
     *     repeats the current one with another key
     */
    public ConfiguredPayloadKeys(String currentId, String currentKey, Map<String, String> retired) {
        this.all = new LinkedHashMap<>();
        this.current = new NamedKey(requireId(currentId), decode(currentId, currentKey));
        all.put(current.id(), current.key());
        retired.forEach((id, key) -> {
            SecretKey decoded = decode(requireId(id), key);
            SecretKey before = all.putIfAbsent(id, decoded);
            if (before != null && !before.equals(decoded)) {
                throw new IllegalArgumentException("payload key id " + id + " is given twice with different keys");
            }
        });
    }

    @Override
    public NamedKey encryptionKey() {
        return current;
    }

    @Override
    public Optional<SecretKey> decryptionKey(String keyId) {
        return Optional.ofNullable(all.get(keyId));
    }

    private static String requireId(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a payload key needs a non-blank id");
        }
        return id.strip();
    }

    private static SecretKey decode(String id, String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64 == null ? "" : base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("payload key " + id + " is not valid base64");
        }
        if (bytes.length != KEY_BYTES) {
            // The message names the id and the length only, never the key.
            throw new IllegalArgumentException(
                    "payload key " + id + " must be " + KEY_BYTES + " bytes (AES-256), is " + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }
}
