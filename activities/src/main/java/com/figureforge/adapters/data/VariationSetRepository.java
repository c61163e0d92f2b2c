package com.figureforge.adapters.data;

import static com.figureforge.adapters.data.Items.n;
import static com.figureforge.adapters.data.Items.s;
import static com.figureforge.adapters.data.Items.time;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Variation sets, in their owner's partition ({@code USER#{userId}} / {@code VSET#{setId}}): a GetItem
 * by owner and id answers "the caller's set", so another user's set is simply absent, and account
 * deletion erases sets with the rest of the partition.
 */
public class VariationSetRepository {

    static final String TYPE_VARIATION_SET = "variation_set";

    private static final String SET_ID = "setId";
    private static final String USER_ID = "userId";
    private static final String VARY = "vary";
    private static final String VALUES = "values";
    private static final String JOB_IDS = "jobIds";
    private static final String SEED = "seed";
    private static final String NUM_IMAGES = "numImages";
    private static final String REQUEST = "requestJson";
    private static final String CREATED_AT = "createdAt";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public VariationSetRepository(DynamoDbClient dynamo, String tableName, Clock clock) {
        this.dynamo = Objects.requireNonNull(dynamo);
        this.table = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Stores a new set (conditional on no set with that id). A {@code null} createdAt is set to now.
     *
     * @return true if stored, false if the set existed (left unchanged)
     */
    public boolean create(VariationSetRecord set) {
        Map<String, AttributeValue> item =
                new HashMap<>(Keys.key(Keys.user(set.userId()), Keys.variationSet(set.setId())));
        item.put(FigureForgeTable.TYPE, s(TYPE_VARIATION_SET));
        item.put(SET_ID, s(set.setId()));
        item.put(USER_ID, s(set.userId()));
        item.put(VARY, s(set.vary()));
        item.put(VALUES, Items.list(set.values()));
        item.put(JOB_IDS, Items.list(set.jobIds()));
        item.put(SEED, n(set.seed()));
        item.put(NUM_IMAGES, n(set.numImages()));
        Items.putString(item, REQUEST, set.requestJson());
        item.put(
                CREATED_AT,
                time((set.createdAt() == null ? clock.instant() : set.createdAt()).truncatedTo(ChronoUnit.MILLIS)));
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", FigureForgeTable.PK)));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    /** The user's set (strongly consistent GetItem); empty for an unknown id or another user's set. */
    public Optional<VariationSetRecord> find(String userId, String setId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.user(userId), Keys.variationSet(setId)))
                        .consistentRead(true))
                .item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new VariationSetRecord(
                Items.string(item, SET_ID),
                Items.string(item, USER_ID),
                Items.string(item, VARY),
                Items.strings(item, VALUES),
                Items.strings(item, JOB_IDS),
                Items.number(item, SEED, 0),
                (int) Items.number(item, NUM_IMAGES, 1),
                Items.string(item, REQUEST),
                Items.time(item, CREATED_AT)));
    }
}
