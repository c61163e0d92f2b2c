package com.figureforge.app.payloads;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.StringUtils;

/**
 * Payload encryption ({@code figureforge.payload-encryption.*}, docs/operations.md): on when a key is
 * configured. Keys are base64 of 32 random bytes ({@code openssl rand -base64 32}).
 *
 * @param keyId the id of the key that encrypts, written into every payload (not secret)
 * @param key the key that encrypts ({@code PAYLOAD_KEY})
 * @param retiredKeys keys that only decrypt, each {@code id:base64} ({@code PAYLOAD_RETIRED_KEYS},
 *     comma-separated): keep a key here after rotating until the namespace retention has removed every
 *     history it encrypted
 */
@ConfigurationProperties("figureforge.payload-encryption")
public record PayloadEncryptionProperties(String keyId, String key, List<String> retiredKeys) {

    public PayloadEncryptionProperties {
        retiredKeys = retiredKeys == null ? List.of() : List.copyOf(retiredKeys);
    }

    public boolean configured() {
        return StringUtils.hasText(key);
    }

    /** The retired keys by id. */
    public Map<String, String> retired() {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String entry : retiredKeys) {
            if (!StringUtils.hasText(entry)) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(
                        "figureforge.payload-encryption.retired-keys: each entry is id:base64-key");
            }
            keys.put(
                    entry.substring(0, colon).strip(),
                    entry.substring(colon + 1).strip());
        }
        return keys;
    }
}
