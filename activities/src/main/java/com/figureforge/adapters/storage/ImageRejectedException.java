package com.figureforge.adapters.storage;

import com.figureforge.workflows.FailureType;

/**
 * Bytes that are not an image we accept: unknown type, undecodable, zero or oversized dimensions, too many
 * bytes. Final: the same bytes are rejected again ({@link FailureType#IMAGE_REJECTED}).
 */
public class ImageRejectedException extends RuntimeException {

    public ImageRejectedException(String message) {
        super(message);
    }

    public ImageRejectedException(String message, Throwable cause) {
        super(message, cause);
    }

    public FailureType type() {
        return FailureType.IMAGE_REJECTED;
    }
}
