package com.figureforge.adapters.storage;

import java.util.Optional;

/** The image types we store, recognised by their leading bytes, never by what a server claims. */
public enum ImageFormat {
    PNG("image/png", "png", "png"),
    JPEG("image/jpeg", "jpg", "jpeg"),
    WEBP("image/webp", "webp", "webp");

    private final String contentType;
    private final String extension;
    private final String imageIoName;

    ImageFormat(String contentType, String extension, String imageIoName) {
        this.contentType = contentType;
        this.extension = extension;
        this.imageIoName = imageIoName;
    }

    public String contentType() {
        return contentType;
    }

    /** File extension used in the S3 key, without the dot. */
    public String extension() {
        return extension;
    }

    String imageIoName() {
        return imageIoName;
    }

    /** The format whose signature the bytes start with, if any. */
    public static Optional<ImageFormat> sniff(byte[] bytes) {
        if (startsWith(bytes, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of(PNG);
        }
        if (startsWith(bytes, 0, 0xFF, 0xD8, 0xFF)) {
            return Optional.of(JPEG);
        }
        if (startsWith(bytes, 0, 'R', 'I', 'F', 'F') && startsWith(bytes, 8, 'W', 'E', 'B', 'P')) {
            return Optional.of(WEBP);
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] bytes, int offset, int... signature) {
        if (bytes == null || bytes.length < offset + signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if ((bytes[offset + i] & 0xFF) != signature[i]) {
                return false;
            }
        }
        return true;
    }
}
