package com.figureforge.devstack.fal;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The faults and latency the {@link FalEmulator} is told to inject. Thread-safe: tests set faults
 * while the server's threads read them. The JSON form is the one served at
 * {@code /_emulator/faults} (see {@link FalEmulator}).
 */
final class FalFaults {

    private final Duration startQueueTime;
    private final Duration startRunTime;

    private Duration queueTime;
    private Duration runTime;
    private int failedSubmitsLeft;
    private int failedSubmitStatus;
    private int failedPollsLeft;
    private int failedPollStatus;
    private int failedRunsLeft;
    private boolean neverFinish;
    private Set<String> rejectedWords = Set.of();
    private Set<String> nsfwWords = Set.of();
    /** Requests the emulated account runs at once (0: no limit); see {@link #queueTimeAt}. */
    private int concurrency;
    /** When each running (or booked) slot frees, earliest first. */
    private final PriorityQueue<Instant> slotsFreeAt = new PriorityQueue<>();

    FalFaults(Duration queueTime, Duration runTime) {
        this.startQueueTime = requireNonNegative(queueTime, "queueTime");
        this.startRunTime = requireNonNegative(runTime, "runTime");
        reset();
    }

    synchronized void reset() {
        queueTime = startQueueTime;
        runTime = startRunTime;
        failedSubmitsLeft = 0;
        failedSubmitStatus = 500;
        failedPollsLeft = 0;
        failedPollStatus = 500;
        failedRunsLeft = 0;
        neverFinish = false;
        rejectedWords = Set.of();
        nsfwWords = Set.of();
        concurrency = 0;
        slotsFreeAt.clear();
    }

    synchronized void setLatency(Duration queueTime, Duration runTime) {
        this.queueTime = requireNonNegative(queueTime, "queueTime");
        this.runTime = requireNonNegative(runTime, "runTime");
    }

    synchronized void setConcurrency(int requests) {
        concurrency = requireNonNegative(requests);
        slotsFreeAt.clear();
    }

    /**
     * The time a request submitted at {@code submittedAt} spends IN_QUEUE: the queue latency, plus, when
     * the account's concurrency is limited, the wait for a free slot (first come, first served), like
     * fal's per-account concurrency. A canceled request keeps its booked slot (a small overestimate).
     */
    synchronized Duration queueTimeAt(Instant submittedAt) {
        Instant start = submittedAt.plus(queueTime);
        if (concurrency == 0) {
            return queueTime;
        }
        if (slotsFreeAt.size() >= concurrency) {
            Instant free = slotsFreeAt.poll();
            if (free.isAfter(start)) {
                start = free;
            }
        }
        slotsFreeAt.add(start.plus(runTime));
        return Duration.between(submittedAt, start);
    }

    synchronized Duration queueTime() {
        return queueTime;
    }

    synchronized Duration runTime() {
        return runTime;
    }

    synchronized void failNextSubmits(int count, int httpStatus) {
        failedSubmitsLeft = requireNonNegative(count);
        failedSubmitStatus = requireErrorStatus(httpStatus);
    }

    synchronized void failNextPolls(int count, int httpStatus) {
        failedPollsLeft = requireNonNegative(count);
        failedPollStatus = requireErrorStatus(httpStatus);
    }

    synchronized void failNextRuns(int count) {
        failedRunsLeft = requireNonNegative(count);
    }

    synchronized void setNeverFinish(boolean neverFinish) {
        this.neverFinish = neverFinish;
    }

    synchronized void rejectPromptsContaining(List<String> words) {
        rejectedWords = normalise(words);
    }

    synchronized void flagNsfwPromptsContaining(List<String> words) {
        nsfwWords = normalise(words);
    }

    /** The status to fail this submit with, consuming one planned failure. */
    synchronized OptionalInt takeSubmitFailure() {
        if (failedSubmitsLeft == 0) {
            return OptionalInt.empty();
        }
        failedSubmitsLeft--;
        return OptionalInt.of(failedSubmitStatus);
    }

    /** The status to fail this status or result call with, consuming one planned failure. */
    synchronized OptionalInt takePollFailure() {
        if (failedPollsLeft == 0) {
            return OptionalInt.empty();
        }
        failedPollsLeft--;
        return OptionalInt.of(failedPollStatus);
    }

    /** How a request accepted now will end; consumes one planned runner failure if any. */
    synchronized QueuedFalRequest.Ending takeEnding() {
        if (neverFinish) {
            return QueuedFalRequest.Ending.NEVER;
        }
        if (failedRunsLeft > 0) {
            failedRunsLeft--;
            return QueuedFalRequest.Ending.RUNNER_ERROR;
        }
        return QueuedFalRequest.Ending.SUCCESS;
    }

    synchronized Optional<String> rejectedWordIn(String prompt) {
        return firstContained(rejectedWords, prompt);
    }

    synchronized boolean isNsfw(String prompt) {
        return firstContained(nsfwWords, prompt).isPresent();
    }

    /** Applies the fields present in {@code json}; others keep their value. */
    synchronized void apply(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        Duration newQueueTime = json.has("queue_time_ms") ? millis(json, "queue_time_ms") : queueTime;
        Duration newRunTime = json.has("run_time_ms") ? millis(json, "run_time_ms") : runTime;
        int[] submits = json.has("fail_next_submits") ? countAndStatus(json, "fail_next_submits") : null;
        int[] polls = json.has("fail_next_polls") ? countAndStatus(json, "fail_next_polls") : null;
        Integer runs = json.has("fail_next_runs") ? nonNegativeInt(json.get("fail_next_runs"), "fail_next_runs") : null;
        Boolean never = null;
        if (json.has("never_finish")) {
            if (!json.get("never_finish").isBoolean()) {
                throw new IllegalArgumentException("never_finish must be true or false");
            }
            never = json.get("never_finish").booleanValue();
        }
        List<String> rejected = json.has("reject_prompts_containing") ? words(json, "reject_prompts_containing") : null;
        List<String> nsfw = json.has("nsfw_prompts_containing") ? words(json, "nsfw_prompts_containing") : null;

        // Validated everything above before changing anything: a bad request changes nothing.
        setLatency(newQueueTime, newRunTime);
        if (submits != null) {
            failNextSubmits(submits[0], submits[1]);
        }
        if (polls != null) {
            failNextPolls(polls[0], polls[1]);
        }
        if (runs != null) {
            failNextRuns(runs);
        }
        if (never != null) {
            setNeverFinish(never);
        }
        if (rejected != null) {
            rejectPromptsContaining(rejected);
        }
        if (nsfw != null) {
            flagNsfwPromptsContaining(nsfw);
        }
    }

    synchronized ObjectNode toJson(JsonMapper mapper) {
        ObjectNode json = mapper.createObjectNode();
        json.put("queue_time_ms", queueTime.toMillis());
        json.put("run_time_ms", runTime.toMillis());
        ObjectNode submits = json.putObject("fail_next_submits");
        submits.put("count", failedSubmitsLeft);
        submits.put("status", failedSubmitStatus);
        ObjectNode polls = json.putObject("fail_next_polls");
        polls.put("count", failedPollsLeft);
        polls.put("status", failedPollStatus);
        json.put("fail_next_runs", failedRunsLeft);
        json.put("never_finish", neverFinish);
        rejectedWords.forEach(json.putArray("reject_prompts_containing")::add);
        nsfwWords.forEach(json.putArray("nsfw_prompts_containing")::add);
        return json;
    }

    private static Optional<String> firstContained(Set<String> words, String prompt) {
        String text = prompt.toLowerCase(Locale.ROOT);
        return words.stream().filter(text::contains).findFirst();
    }

    private static Set<String> normalise(List<String> words) {
        Set<String> normalised = new LinkedHashSet<>();
        for (String word : words) {
            if (word != null && !word.isBlank()) {
                normalised.add(word.strip().toLowerCase(Locale.ROOT));
            }
        }
        return Set.copyOf(normalised);
    }

    private static Duration millis(JsonNode json, String field) {
        return Duration.ofMillis(nonNegativeInt(json.get(field), field));
    }

    private static int[] countAndStatus(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (!node.isObject()) {
            throw new IllegalArgumentException(field + " must be an object {\"count\": n, \"status\": code}");
        }
        int count = nonNegativeInt(node.get("count"), field + ".count");
        JsonNode status = node.get("status");
        if (status == null || !status.canConvertToInt()) {
            throw new IllegalArgumentException(field + ".status must be an HTTP status code");
        }
        return new int[] {count, requireErrorStatus(status.intValue())};
    }

    private static int nonNegativeInt(JsonNode node, String field) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
            throw new IllegalArgumentException(field + " must be a non-negative integer");
        }
        return node.intValue();
    }

    private static List<String> words(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (!node.isArray()) {
            throw new IllegalArgumentException(field + " must be an array of strings");
        }
        return node.valueStream().map(JsonNode::asString).toList();
    }

    private static int requireErrorStatus(int httpStatus) {
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("an injected failure needs a 4xx or 5xx status, got " + httpStatus);
        }
        return httpStatus;
    }

    private static int requireNonNegative(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        return count;
    }

    private static Duration requireNonNegative(Duration duration, String name) {
        if (duration == null || duration.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive: " + duration);
        }
        return duration;
    }
}
