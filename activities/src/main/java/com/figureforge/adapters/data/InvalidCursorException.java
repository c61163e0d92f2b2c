package com.figureforge.adapters.data;

/** A paging cursor that this service did not issue (or that was altered). The API answers 400. */
public class InvalidCursorException extends RuntimeException {

    public InvalidCursorException(String message) {
        super(message);
    }
}
