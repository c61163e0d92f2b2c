package com.figureforge.app.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md walks through the code by name: every class it names in backticks exists in a
 * module's main sources, and every {@code Class.method} it names is a method of that class. Renames that
 * forget the doc fail here.
 */
class ArchitectureDocTest {

    /** Names in the doc that are not our classes: Temporal SDK types, search attributes, a header. */
    private static final Set<String> NOT_OUR_CLASSES = Set.of(
            "ApplicationFailure",
            "Workflow",
            "FigureForgeUserId",
            "FigureForgeJobStatus",
            "FigureForgePlan",
            "Location");

    private static final Pattern NAME = Pattern.compile("`([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)(?:\\.([a-zA-Z]+))?`");

    @Test
    void everyClassAndMethodTheWalkThroughNamesExists() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String doc = Files.readString(root.resolve("docs/architecture.md"));
        Map<String, List<Path>> sources = new HashMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> f.toString().contains("/src/main/java/"))
                    .forEach(f -> sources.computeIfAbsent(
                                    f.getFileName().toString().replace(".java", ""), k -> new ArrayList<>())
                            .add(f));
        }
        List<String> missing = new ArrayList<>();
        int checked = 0;
        Matcher matcher = NAME.matcher(doc);
        while (matcher.find()) {
            String type = matcher.group(1);
            String method = matcher.group(2);
            if (NOT_OUR_CLASSES.contains(type)) {
                continue;
            }
            checked++;
            List<Path> files = sources.get(type);
            if (files == null) {
                missing.add(type);
            } else if (method != null && !declares(files, method)) {
                missing.add(type + "." + method);
            }
        }
        assertThat(checked).as("names checked").isGreaterThan(40);
        assertThat(missing)
                .as("names in docs/architecture.md without a class or method")
                .isEmpty();
    }

    private static boolean declares(List<Path> files, String method) throws IOException {
        Pattern call = Pattern.compile("\\b" + method + "\\s*\\(");
        for (Path file : files) {
            if (call.matcher(Files.readString(file)).find()) {
                return true;
            }
        }
        return false;
    }
}
