package com.figureforge.adapters.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The SET/REMOVE clauses of one UpdateItem, with one placeholder per attribute (user profile writes). */
final class UpdateClauses {
    final Map<String, String> names = new HashMap<>();
    final Map<String, AttributeValue> values = new HashMap<>();
    final List<String> sets = new ArrayList<>();
    final List<String> removes = new ArrayList<>();

    void set(String attribute, AttributeValue value) {
        String n = "#a" + names.size();
        String v = ":v" + values.size();
        names.put(n, attribute);
        values.put(v, value);
        sets.add(n + " = " + v);
    }

    void setOrRemove(String attribute, AttributeValue value) {
        if (value != null) {
            set(attribute, value);
        } else {
            String n = "#a" + names.size();
            names.put(n, attribute);
            removes.add(n);
        }
    }

    String expression() {
        String expression = "SET " + String.join(", ", sets);
        return removes.isEmpty() ? expression : expression + " REMOVE " + String.join(", ", removes);
    }
}
