package com.figureforge.adapters.data;

import static com.figureforge.adapters.data.Items.putString;
import static com.figureforge.adapters.data.Items.s;
import static com.figureforge.adapters.data.Items.time;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Users: item {@code USER#{id}} / {@code PROFILE}; by Stripe customer through {@code gsi1}. A deleted
 * account leaves {@code USER#{id}} / {@code TOMBSTONE} ({@link AccountTombstone}), which keeps
 * {@link #getOrCreate} from creating the user again.
 */
public class UserRepository {

    static final String TYPE_USER = "user";
    static final String TYPE_TOMBSTONE = "tombstone";

    private static final String ID = "id";
    private static final String USERNAME = "username";
    private static final String EMAIL = "email";
    private static final String DISPLAY_NAME = "displayName";
    private static final String PLAN = "plan";
    private static final String SUBSCRIPTION_STATUS = "subscriptionStatus";
    private static final String DEFAULT_VISIBILITY = "defaultVisibility";
    private static final String STRIPE_CUSTOMER_ID = "stripeCustomerId";
    private static final String PERIOD_START = "periodStart";
    private static final String PERIOD_END = "periodEnd";
    private static final String CREATED_AT = "createdAt";
    private static final String UPDATED_AT = "updatedAt";
    private static final String DELETING = "deleting";
    private static final String DELETING_SINCE = "deletingSince";
    /** Epoch seconds, like the JWT's auth_time it comes from (a number compares correctly). */
    private static final String EMAIL_SIGN_IN_AT = "emailSignInAt";

    private static final String REQUESTED_AT = "requestedAt";
    private static final String DELETED_AT = "deletedAt";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final Consumer<String> written;

    public UserRepository(DynamoDbClient dynamo, String tableName, Clock clock) {
        this(dynamo, tableName, clock, userId -> {});
    }

    /**
     * @param written told the user id after every write of that user's profile or tombstone (whether or
     *     not it changed anything), so a cache of profiles in this process can drop it
     */
    public UserRepository(DynamoDbClient dynamo, String tableName, Clock clock, Consumer<String> written) {
        this.dynamo = Objects.requireNonNull(dynamo);
        this.table = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
        this.written = Objects.requireNonNull(written);
    }

    /**
     * Returns the user, creating it on first sight. Concurrent first requests create exactly one item:
     * the put is conditional on the item not existing, and every caller then reads what is stored.
     * Defaults: plan {@code free}, subscription {@code none}, visibility {@code private}, display name =
     * username.
     *
     * <p>A user whose profile is gone and who has a tombstone is not created again. While a deletion
     * runs and the profile still exists, the profile is returned with {@link UserRecord#deleting()} set.
     *
     * @throws AccountDeletedException if the account was deleted
     */
    public UserRecord getOrCreate(String id, String username, String email) {
        Optional<UserRecord> existing = find(id);
        if (existing.isPresent()) {
            return existing.get();
        }
        // Checked after the profile was found missing: the deletion writes the tombstone before it
        // deletes the profile, so a profile that is gone because of a deletion always shows a tombstone.
        Optional<AccountTombstone> tombstone = findTombstone(id);
        if (tombstone.isPresent()) {
            throw new AccountDeletedException(tombstone.get());
        }
        Instant now = now();
        Map<String, AttributeValue> item = new HashMap<>(Keys.key(Keys.user(id), Keys.PROFILE));
        item.put(FigureForgeTable.TYPE, s(TYPE_USER));
        item.put(ID, s(id));
        putString(item, USERNAME, username);
        putString(item, EMAIL, email);
        putString(item, DISPLAY_NAME, username);
        item.put(PLAN, s(UserRecord.DEFAULT_PLAN));
        item.put(SUBSCRIPTION_STATUS, s(UserRecord.DEFAULT_SUBSCRIPTION_STATUS));
        item.put(DEFAULT_VISIBILITY, s(Visibility.PRIVATE));
        item.put(CREATED_AT, time(now));
        item.put(UPDATED_AT, time(now));
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", FigureForgeTable.PK)));
        } catch (ConditionalCheckFailedException createdByAnotherRequest) {
            // fall through: read the winner's item
        } finally {
            written.accept(id);
        }
        return find(id).orElseThrow(() -> new IllegalStateException("user " + id + " vanished while created"));
    }

    /** The user by id (strongly consistent read). */
    public Optional<UserRecord> find(String id) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.user(id), Keys.PROFILE))
                        .consistentRead(true))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    /**
     * Changes display name and default visibility; a {@code null} argument leaves that field unchanged.
     *
     * @return the updated user, or empty if there is no such user
     */
    public Optional<UserRecord> updateProfile(String id, String displayName, String defaultVisibility) {
        UpdateClauses update = new UpdateClauses();
        if (displayName != null) {
            update.set(DISPLAY_NAME, s(displayName));
        }
        if (defaultVisibility != null) {
            update.set(DEFAULT_VISIBILITY, s(Visibility.require(defaultVisibility)));
        }
        return apply(id, update);
    }

    /**
     * The user whose Stripe customer id this is. Served by {@code gsi1} ({@code STRIPE#{customer}}), so
     * eventually consistent: a customer linked a moment ago may not be found yet.
     */
    public Optional<UserRecord> findByStripeCustomerId(String customerId) {
        List<Map<String, AttributeValue>> items = dynamo.query(b -> b.tableName(table)
                        .indexName(FigureForgeTable.GSI1)
                        .keyConditionExpression("#pk = :pk")
                        .expressionAttributeNames(Map.of("#pk", FigureForgeTable.GSI1_PK))
                        .expressionAttributeValues(Map.of(":pk", s(Keys.stripeCustomer(customerId))))
                        .limit(1))
                .items();
        return items.isEmpty() ? Optional.empty() : Optional.of(fromItem(items.getFirst()));
    }

    /**
     * The billing seam: sets plan, subscription status and billing period as Stripe reports them now,
     * and links the Stripe customer (indexed for {@link #findByStripeCustomerId}).
     *
     * @return the updated user, or empty if there is no such user
     */
    public Optional<UserRecord> updatePlan(String id, PlanUpdate change) {
        UpdateClauses update = new UpdateClauses();
        update.set(PLAN, s(change.plan()));
        update.set(SUBSCRIPTION_STATUS, s(change.subscriptionStatus()));
        update.setOrRemove(PERIOD_START, change.periodStart() == null ? null : time(change.periodStart()));
        update.setOrRemove(PERIOD_END, change.periodEnd() == null ? null : time(change.periodEnd()));
        if (change.stripeCustomerId() != null) {
            linkCustomer(update, id, change.stripeCustomerId());
        }
        return apply(id, update);
    }

    /**
     * Links the user's Stripe customer (created before checkout, when no subscription exists yet) and
     * indexes it for {@link #findByStripeCustomerId}; plan and status stay as they are.
     *
     * @return the updated user, or empty if there is no such user
     */
    public Optional<UserRecord> linkStripeCustomer(String id, String customerId) {
        UpdateClauses update = new UpdateClauses();
        linkCustomer(update, id, customerId);
        return apply(id, update);
    }

    private static void linkCustomer(UpdateClauses update, String id, String customerId) {
        update.set(STRIPE_CUSTOMER_ID, s(customerId));
        update.set(FigureForgeTable.GSI1_PK, s(Keys.stripeCustomer(customerId)));
        update.set(FigureForgeTable.GSI1_SK, s(Keys.user(id)));
    }

    /**
     * Stores the email Cognito reports for the sign-in at {@code signInAt} (the token's {@code
     * auth_time}). Only a later sign-in than the one stored writes: racing requests and a late answer
     * never move the email back. {@code email} null keeps the stored email (the source knew none) and
     * records the sign-in as covered, so it is not asked again until the next sign-in.
     *
     * @return the user as stored afterwards (changed or not), or empty if there is no such user
     */
    public Optional<UserRecord> refreshEmail(String id, String email, Instant signInAt) {
        Objects.requireNonNull(signInAt, "signInAt");
        Map<String, String> names = new HashMap<>(
                Map.of("#pk", FigureForgeTable.PK, "#signIn", EMAIL_SIGN_IN_AT, "#updatedAt", UPDATED_AT));
        Map<String, AttributeValue> values =
                new HashMap<>(Map.of(":signIn", Items.n(signInAt.getEpochSecond()), ":now", time(now())));
        String expression = "SET #signIn = :signIn, #updatedAt = :now";
        if (email != null) {
            names.put("#email", EMAIL);
            values.put(":email", s(email));
            expression += ", #email = :email";
        }
        String update = expression;
        try {
            Map<String, AttributeValue> item = dynamo.updateItem(b -> b.tableName(table)
                            .key(Keys.key(Keys.user(id), Keys.PROFILE))
                            .updateExpression(update)
                            .conditionExpression(
                                    "attribute_exists(#pk) AND (attribute_not_exists(#signIn) OR #signIn < :signIn)")
                            .expressionAttributeNames(names)
                            .expressionAttributeValues(values)
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes();
            return Optional.of(fromItem(item));
        } catch (ConditionalCheckFailedException sameOrLaterSignInStoredOrNoUser) {
            return find(id);
        } finally {
            written.accept(id);
        }
    }

    private static Instant emailSignInAt(Map<String, AttributeValue> item) {
        Long seconds = Items.number(item, EMAIL_SIGN_IN_AT);
        return seconds == null ? null : Instant.ofEpochSecond(seconds);
    }

    /**
     * Flags the account as being deleted (new work is refused by callers that see the flag).
     *
     * @return true if this call set the flag, false if it was already set or there is no such user
     */
    public boolean markDeleting(String id) {
        Instant now = now();
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Keys.key(Keys.user(id), Keys.PROFILE))
                    .updateExpression("SET #deleting = :true, #since = :now, #updatedAt = :now")
                    .conditionExpression(
                            "attribute_exists(#pk) AND (attribute_not_exists(#deleting) OR #deleting = :false)")
                    .expressionAttributeNames(Map.of(
                            "#pk", FigureForgeTable.PK,
                            "#deleting", DELETING,
                            "#since", DELETING_SINCE,
                            "#updatedAt", UPDATED_AT))
                    .expressionAttributeValues(Map.of(
                            ":true", AttributeValue.fromBool(true),
                            ":false", AttributeValue.fromBool(false),
                            ":now", time(now))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } finally {
            written.accept(id);
        }
    }

    /**
     * Writes the tombstone of an account whose deletion starts now, unless there is one (a repeated call
     * keeps the first). It holds no personal data: key, type and times only.
     *
     * @return the stored tombstone
     */
    public AccountTombstone writeTombstone(String id, Instant requestedAt) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.key(Keys.user(id), Keys.TOMBSTONE));
        item.put(FigureForgeTable.TYPE, s(TYPE_TOMBSTONE));
        item.put(REQUESTED_AT, time(requestedAt.truncatedTo(ChronoUnit.MILLIS)));
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", FigureForgeTable.PK)));
        } catch (ConditionalCheckFailedException writtenBefore) {
            // keep the first
        } finally {
            written.accept(id); // the account is going: a cached profile must not outlive this
        }
        return findTombstone(id).orElseThrow(() -> new IllegalStateException("tombstone of " + id + " vanished"));
    }

    /**
     * Marks the deletion finished: sets {@code deletedAt} unless set before (a repeated call keeps the
     * first time), creating the tombstone if it is missing.
     *
     * @return the stored tombstone
     */
    public AccountTombstone completeTombstone(String id, Instant requestedAt, Instant deletedAt) {
        Map<String, AttributeValue> item = dynamo.updateItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.user(id), Keys.TOMBSTONE))
                        .updateExpression("SET #type = :type, #requested = if_not_exists(#requested, :requested), "
                                + "#deleted = if_not_exists(#deleted, :deleted)")
                        .expressionAttributeNames(Map.of(
                                "#type", FigureForgeTable.TYPE, "#requested", REQUESTED_AT, "#deleted", DELETED_AT))
                        .expressionAttributeValues(Map.of(
                                ":type", s(TYPE_TOMBSTONE),
                                ":requested", time(requestedAt.truncatedTo(ChronoUnit.MILLIS)),
                                ":deleted", time(deletedAt.truncatedTo(ChronoUnit.MILLIS))))
                        .returnValues(ReturnValue.ALL_NEW))
                .attributes();
        return tombstoneFromItem(id, item);
    }

    /** The tombstone of a deleted account, or of one whose deletion is under way (strongly consistent). */
    public Optional<AccountTombstone> findTombstone(String id) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.user(id), Keys.TOMBSTONE))
                        .consistentRead(true))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(tombstoneFromItem(id, item));
    }

    /** Whether the account was deleted or its deletion has started: it will never be created again. */
    public boolean isDeleted(String id) {
        return findTombstone(id).isPresent();
    }

    private static AccountTombstone tombstoneFromItem(String id, Map<String, AttributeValue> item) {
        return new AccountTombstone(id, Items.time(item, REQUESTED_AT), Items.time(item, DELETED_AT));
    }

    private Optional<UserRecord> apply(String id, UpdateClauses update) {
        update.set(UPDATED_AT, time(now()));
        update.names.put("#pk", FigureForgeTable.PK);
        try {
            Map<String, AttributeValue> item = dynamo.updateItem(b -> b.tableName(table)
                            .key(Keys.key(Keys.user(id), Keys.PROFILE))
                            .updateExpression(update.expression())
                            .conditionExpression("attribute_exists(#pk)")
                            .expressionAttributeNames(update.names)
                            .expressionAttributeValues(update.values)
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes();
            return Optional.of(fromItem(item));
        } catch (ConditionalCheckFailedException noSuchUser) {
            return Optional.empty();
        } finally {
            written.accept(id);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    static UserRecord fromItem(Map<String, AttributeValue> item) {
        return new UserRecord(
                Items.string(item, ID),
                Items.string(item, USERNAME),
                Items.string(item, EMAIL),
                Items.string(item, DISPLAY_NAME),
                Items.string(item, PLAN, UserRecord.DEFAULT_PLAN),
                Items.string(item, SUBSCRIPTION_STATUS, UserRecord.DEFAULT_SUBSCRIPTION_STATUS),
                Items.string(item, DEFAULT_VISIBILITY, Visibility.PRIVATE),
                Items.string(item, STRIPE_CUSTOMER_ID),
                Items.time(item, PERIOD_START),
                Items.time(item, PERIOD_END),
                Items.time(item, CREATED_AT),
                Items.time(item, UPDATED_AT),
                Items.bool(item, DELETING),
                emailSignInAt(item));
    }
}
