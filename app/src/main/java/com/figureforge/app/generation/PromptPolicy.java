package com.figureforge.app.generation;

import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ErrorCode;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the free-text prompt may carry before it reaches the model. Control characters (line breaks
 * included) become spaces and runs of white space one space, so the text cannot restructure the prompt
 * the controls build; a configurable deny-list of words and phrases is refused with 422
 * {@code prompt_not_allowed} before anything is reserved. Matching is on whole words, case-insensitive,
 * so "minor" refuses "a minor" but not "minority".
 */
final class PromptPolicy {

    private static final Pattern CONTROL =
            Pattern.compile("\\p{Cntrl}|[\\u2028\\u2029\\u200B-\\u200F\\u202A-\\u202E\\u2066-\\u2069]");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private final List<Pattern> denied;

    PromptPolicy(List<String> denyList) {
        this.denied = (denyList == null ? List.<String>of() : denyList)
                .stream()
                        .map(String::strip)
                        .filter(term -> !term.isEmpty())
                        .map(term -> Pattern.compile("(?<![\\p{L}\\p{N}])"
                                + Pattern.quote(term.toLowerCase(Locale.ROOT)) + "(?![\\p{L}\\p{N}])"))
                        .toList();
    }

    /** The prompt as the model gets it: no control or direction characters, single spaces; null if empty. */
    static String clean(String prompt) {
        if (prompt == null) {
            return null;
        }
        String cleaned = SPACES.matcher(CONTROL.matcher(prompt).replaceAll(" "))
                .replaceAll(" ")
                .strip();
        return cleaned.isEmpty() ? null : cleaned;
    }

    /** Refuses a cleaned prompt that contains a denied term. */
    void check(String cleanedPrompt) {
        if (cleanedPrompt == null) {
            return;
        }
        String lower = cleanedPrompt.toLowerCase(Locale.ROOT);
        for (Pattern term : denied) {
            if (term.matcher(lower).find()) {
                throw new ApiException(
                        ErrorCode.PROMPT_NOT_ALLOWED,
                        "The prompt asks for something FigureForge does not make; rephrase it.");
            }
        }
    }
}
