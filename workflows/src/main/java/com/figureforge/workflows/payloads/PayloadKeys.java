package com.figureforge.workflows.payloads;

import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * Where {@link EncryptingPayloadCodec} gets its AES-256 keys: one key encrypts, every key it knows
 * decrypts, so keys can rotate (a new encrypt key; the old one stays for decryption until the namespace's
 * retention has expired every history it wrote). {@link ConfiguredPayloadKeys} holds keys from
 * configuration; a KMS-backed implementation (data keys unwrapped by the KMS at start-up, or fetched per
 * key id and cached) replaces it by implementing this interface.
 */
public interface PayloadKeys {

    /** The key new payloads are encrypted with. */
    NamedKey encryptionKey();

    /** The key with this id, if known (the current one or a retired one). */
    Optional<SecretKey> decryptionKey(String keyId);

    /**
     * @param id written into each payload's {@code encryption-key-id} metadata; not secret
     * @param key the AES-256 key
     */
    record NamedKey(String id, SecretKey key) {}
}
