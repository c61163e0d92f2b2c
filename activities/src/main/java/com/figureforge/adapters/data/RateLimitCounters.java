package com.figureforge.adapters.data;

import static com.figureforge.adapters.data.Items.n;
import static com.figureforge.adapters.data.Items.s;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Request rate limits shared by every API replica: fixed-window counters, one item per (subject, policy
 * window, window start), each taken with one conditional UpdateItem ({@code ADD count :1} if
 * {@code count < limit}). DynamoDB serialises writes to one item, so N replicas together let through
 * exactly the limit per window; dynalite (no transactions, no TTL) supports the same write.
 *
 * <p>Keys: {@code USER#{id}} (so account deletion erases them with the user) or {@code ADDR#{address}},
 * sort key {@code RATE#{name}#{windowSeconds}#{windowStartEpochSecond}}; {@code ttl} is the window's end
 * plus a minute (DynamoDB removes the item later; reads never need it, the window start is in the key).
 *
 * <p>Cost: one write (1 WCU) per window of the policy per limited request; a request turned away by
 * the first window costs that one write only.
 */
public class RateLimitCounters {

    static final String TYPE_RATE = "ratelimit";
    private static final String COUNT = "count";
    private static final Duration TTL_GRACE = Duration.ofMinutes(1);

    /** One window of a policy: at most {@code requests} per {@code length}, named for the RateLimit fields. */
    public record Window(String name, int requests, Duration length) {
        public Window {
            if (requests < 1 || length.toSeconds() < 1) {
                throw new IllegalArgumentException("a window allows at least 1 request per at least 1 second");
            }
        }
    }

    /**
     * The outcome of one request against a policy.
     *
     * @param window the window reported in the RateLimit field: the one that refused, else the one with
     *     the fewest requests left
     * @param remaining requests left in that window after this one
     * @param resetAfter time until that window ends (the Retry-After when refused)
     */
    public record Decision(boolean allowed, Window window, long remaining, Duration resetAfter) {}

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public RateLimitCounters(DynamoDbClient dynamo, String tableName, Clock clock) {
        this.dynamo = Objects.requireNonNull(dynamo);
        this.table = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
    }

    /** The counter partition of a signed-in user. */
    public static String userSubject(String userId) {
        return Keys.user(userId);
    }

    /** The counter partition of a client address (public routes). */
    public static String addressSubject(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("address must not be blank");
        }
        return "ADDR#" + address;
    }

    /**
     * Counts one request of {@code subject} against every window in order and stops at the first that is
     * full. A request refused by a later window still counted in the earlier ones: the limiter may turn
     * away a little more than strictly needed, never let through more than a window's limit.
     */
    public Decision take(String subject, List<Window> windows) {
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("a policy has at least one window");
        }
        Instant now = clock.instant();
        Decision tightest = null;
        for (Window window : windows) {
            Decision decision = take(subject, window, now);
            if (!decision.allowed()) {
                return decision;
            }
            if (tightest == null || decision.remaining() < tightest.remaining()) {
                tightest = decision;
            }
        }
        return tightest;
    }

    private Decision take(String subject, Window window, Instant now) {
        long length = window.length().toSeconds();
        long start = now.getEpochSecond() / length * length;
        Instant end = Instant.ofEpochSecond(start + length);
        Duration resetAfter = Duration.between(now, end);
        try {
            var updated = dynamo.updateItem(b -> b.tableName(table)
                    .key(Keys.key(subject, "RATE#" + window.name() + "#" + length + "#" + start))
                    .updateExpression("SET #type = :type, #ttl = :ttl ADD #count :one")
                    .conditionExpression("attribute_not_exists(#count) OR #count < :limit")
                    .expressionAttributeNames(
                            Map.of("#type", FigureForgeTable.TYPE, "#ttl", FigureForgeTable.TTL, "#count", COUNT))
                    .expressionAttributeValues(Map.of(
                            ":type", s(TYPE_RATE),
                            ":ttl", n(end.plus(TTL_GRACE).getEpochSecond()),
                            ":one", n(1),
                            ":limit", n(window.requests())))
                    .returnValues(ReturnValue.UPDATED_NEW));
            long count = Items.number(updated.attributes(), COUNT, window.requests());
            return new Decision(true, window, Math.max(0, window.requests() - count), resetAfter);
        } catch (ConditionalCheckFailedException full) {
            return new Decision(false, window, 0, resetAfter);
        }
    }
}
