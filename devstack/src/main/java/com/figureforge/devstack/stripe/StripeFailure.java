package com.figureforge.devstack.stripe;

import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/** A Stripe API error, answered in Stripe's shape {@code {"error": {type, code, message, param}}}. */
final class StripeFailure extends RuntimeException {
    final int status;
    final String type;
    final String code;
    final String param;

    StripeFailure(int status, String type, String code, String message, String param) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    static StripeFailure invalid(String code, String message, String param) {
        return new StripeFailure(400, "invalid_request_error", code, message, param);
    }

    static StripeFailure missing(String kind, String id, String param) {
        return new StripeFailure(
                404, "invalid_request_error", "resource_missing", "No such " + kind + ": '" + id + "'", param);
    }

    /** A customer parameter naming no customer: a 400, not the 404 of an unknown path id. */
    static StripeFailure noSuchCustomer(String customerId) {
        return new StripeFailure(
                400, "invalid_request_error", "resource_missing", "No such customer: '" + customerId + "'", "customer");
    }

    /** The object with this id, or the 404 {@code resource_missing} Stripe answers for an unknown one. */
    static ObjectNode requireKnown(Map<String, ObjectNode> objects, String kind, String id) {
        ObjectNode object = objects.get(id);
        if (object == null) {
            throw StripeFailure.missing(kind, id, "id");
        }
        return object;
    }
}
