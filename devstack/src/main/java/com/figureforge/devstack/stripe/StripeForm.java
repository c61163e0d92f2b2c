package com.figureforge.devstack.stripe;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters of a Stripe API call: an {@code application/x-www-form-urlencoded} body or query
 * string, kept flat in arrival order. Stripe's nesting stays in the keys ({@code
 * line_items[0][price]}, {@code metadata[plan]}); brackets may arrive escaped or not.
 */
record StripeForm(Map<String, String> params) {

    static final StripeForm EMPTY = new StripeForm(Map.of());

    StripeForm {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    static StripeForm parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return EMPTY;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.put(key, value);
        }
        return new StripeForm(params);
    }

    String get(String key) {
        return params.get(key);
    }

    boolean has(String key) {
        return params.containsKey(key);
    }

    /** The entries of a hash parameter: {@code metadata[a]=1} under {@code "metadata"} is {@code a=1}. */
    Map<String, String> hash(String name) {
        Map<String, String> entries = new LinkedHashMap<>();
        String prefix = name + "[";
        params.forEach((key, value) -> {
            if (key.startsWith(prefix) && key.endsWith("]")) {
                String inner = key.substring(prefix.length(), key.length() - 1);
                if (!inner.contains("[") && !inner.contains("]")) {
                    entries.put(inner, value);
                }
            }
        });
        return entries;
    }

    /** Whether any parameter is this hash or lies under it ({@code metadata=} or {@code metadata[x]=}). */
    boolean touches(String name) {
        return params.keySet().stream().anyMatch(key -> key.equals(name) || key.startsWith(name + "["));
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }
}
