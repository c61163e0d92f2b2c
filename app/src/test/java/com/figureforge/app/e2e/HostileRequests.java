package com.figureforge.app.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The hostile parts of a fuzz request, drawn from a seeded {@link Random}: path segments, query strings,
 * headers and bodies that no well-behaved client sends. Every body is invalid for the route it is sent to
 * (malformed, wrong type, unknown field, too deep, too big), so a request carrying one must change nothing.
 */
final class HostileRequests {

    /** A JSON body field of a route and the schema type the document gives it. */
    record Field(String name, String type) {}

    private final Random random;

    HostileRequests(Random random) {
        this.random = random;
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    /** A path parameter that is not an id the API issued (URI-safe, so the document's client can send it). */
    String pathParameter() {
        return pick(List.of(
                "a".repeat(3000),
                "x".repeat(1 + random.nextInt(300)),
                UUID.randomUUID().toString(), // version 4, not ours
                randomV7(),
                randomV7().toUpperCase(java.util.Locale.ROOT),
                randomV7() + "-0",
                "-1",
                "0",
                "null",
                "%E2%98%83%F0%9F%92%A9",
                "%20",
                "USER%23alice",
                "JOB%23" + randomV7()));
    }

    /** Appended to a route's path: traversal, encoded separators, NUL, very long or odd segments. */
    String pathSuffix() {
        return pick(List.of(
                "/..",
                "/../../etc/passwd",
                "/%2e%2e/%2e%2e/",
                "%2F..%2Fauth%2Fuser",
                "/%00",
                "%00.json",
                "/%5C..%5C",
                ";jsessionid=0",
                ";a=b/",
                "//",
                "/" + "b".repeat(5000),
                "/%E2%80%AE%E2%98%83",
                "/%C0%AE%C0%AE",
                "/%ff%fe",
                "/%",
                "/%zz",
                "/x?%",
                "/.%2e/",
                "/%27%3B%20DROP%20TABLE%20users%3B--",
                "/%2e%2e",
                "?a[b]=c",
                "?q=<script>"));
    }

    String queryString(Map<String, String> parameters) {
        List<String> pairs = new ArrayList<>();
        for (String name : parameters.keySet()) {
            if (chance(70)) {
                pairs.add(name + "=" + queryValue(parameters.get(name)));
            }
        }
        if (chance(40)) {
            pairs.add(pick(List.of("unknown=1", "limit=1&limit=2", "cursor=&cursor=x", "=", "&&", "x", "%3D")));
        }
        return pairs.isEmpty() ? "" : "?" + String.join("&", pairs);
    }

    private String queryValue(String type) {
        if ("integer".equals(type) || "number".equals(type)) {
            return pick(List.of(
                    "abc", "-1", "0", "99999999999999999999", "1e3", "", "1.5", "%00", "0x10", "2147483648", "NaN"));
        }
        return pick(List.of(
                "",
                "not-a-cursor!",
                "A".repeat(3000),
                "MTpmb28", // "1:foo": right version, not a key
                "MTpJTUcjMSNh", // "1:IMG#1#a"
                "%00",
                "%E2%98%83",
                "%2F..%2F",
                "'%20OR%201%3D1"));
    }

    /** An Authorization header that is not a valid token of this issuer, or none. */
    String badAuthorization() {
        return pick(java.util.Arrays.asList(
                null,
                "Bearer",
                "Bearer ",
                "Bearer not-a-jwt",
                "Bearer a.b.c",
                "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwidG9rZW5fdXNlIjoiYWNjZXNzIn0.",
                "Bearer " + "A".repeat(10_000),
                "Bearer " + "eyJ".repeat(3000) + ".x.y",
                "Bearer a b c",
                "bearer lowercase",
                "Basic Zm9vOmJhcg==",
                "Digest username=x",
                "Bearer ===="));
    }

    String contentType() {
        return pick(List.of(
                "application/json",
                "application/json",
                "application/json; charset=utf-16",
                "application/json; charset=bogus",
                "text/plain",
                "application/xml",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "application/*",
                ";;;"));
    }

    static final String FUZZ_ADDRESS = "198.51.100." + (1 + new java.util.Random().nextInt(254));

    /** Extra headers a hostile client adds; the Idempotency-Key ones only matter where a key is read. */
    Map<String, String> headers() {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        if (chance(40)) {
            headers.put(
                    "Idempotency-Key",
                    pick(List.of(
                            "",
                            " ",
                            "k".repeat(300),
                            "a b",
                            "\u00e9t\u00e9",
                            UUID.randomUUID().toString())));
        }
        if (chance(20)) {
            headers.put("Stripe-Signature", pick(List.of("", "t=1,v1=00", "t=x", "v1=" + "f".repeat(64))));
        }
        // The fuzz traffic comes from its own (documentation-range) address through the trusted local
        // proxy, so it never spends the per-address budget other tests share on 127.0.0.1; now and then
        // the header is hostile (and the address falls back to 127.0.0.1).
        headers.put("X-Forwarded-For", chance(5) ? pick(List.of("999.1.1.1", "::::", "a".repeat(500))) : FUZZ_ADDRESS);
        if (chance(10)) {
            headers.put("X-" + "h".repeat(50), "v".repeat(2000));
        }
        return headers;
    }

    /** A body the route must refuse: broken JSON, a wrong shape, a wrong type, an unknown field, too deep. */
    String invalidBody(List<Field> fields) {
        int kind = random.nextInt(fields.isEmpty() ? 9 : 12);
        return switch (kind) {
            case 0 -> pick(List.of("{", "{\"a\":", "}", "{\"a\" 1}", "{'a': 1}", "{\"a\":1,}", "\u0000", "nul"));
            case 1 -> pick(List.of("[]", "\"text\"", "123", "true", "[{}]"));
            // Not an empty body or a bare null: generate takes those as "all defaults" and would start a job.
            case 2 -> "\uFEFF{\"unknown\": 1}";
            case 3 -> "[".repeat(5000) + "]".repeat(5000);
            case 4 -> "{\"a\":".repeat(3000) + "1" + "}".repeat(3000);
            case 5 -> "{\"unknown_field_" + random.nextInt(100) + "\": 1}";
            case 6 -> "{\"__proto__\": {\"admin\": true}, \"constructor\": 1}";
            case 7 -> "{\"x\": \"" + "z".repeat(80_000) + "\"}";
            case 8 -> "{\"n\": 1e400, \"m\": 99999999999999999999999999999}";
            case 9 -> wrongType(pick(fields));
            case 10 -> hugeNumber(pick(fields));
            default -> "{\"" + pick(fields).name() + "\": null, \"also_unknown\": true}";
        };
    }

    private String wrongType(Field field) {
        // An object or array is the wrong type for every field the request schemas declare (scalars).
        return "{\"" + field.name() + "\": " + pick(List.of("{\"x\": 1}", "[1, 2]", "[[[]]]")) + "}";
    }

    private String hugeNumber(Field field) {
        if ("integer".equals(field.type()) || "number".equals(field.type())) {
            return "{\"" + field.name() + "\": " + pick(List.of("1e400", "-99999999999999999999999", "2147483648"))
                    + "}";
        }
        // A number would be coerced into a string field; send it next to an unknown field instead.
        return "{\"" + field.name() + "\": 1e400, \"unknown\": 1}";
    }

    private String randomV7() {
        long most = (System.currentTimeMillis() << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
        long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(most, least).toString();
    }
}
