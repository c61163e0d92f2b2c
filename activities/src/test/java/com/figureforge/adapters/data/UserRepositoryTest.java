package com.figureforge.adapters.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class UserRepositoryTest {

    private static final DynamoDbClient dynamo = TestDynamo.client();
    private static String table;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-14T10:00:00Z"));
    private UserRepository users;

    @BeforeAll
    static void createTable() {
        table = TestDynamo.freshTable("users");
    }

    @BeforeEach
    void setUp() {
        users = new UserRepository(dynamo, table, clock);
    }

    @Test
    void getOrCreateCreatesAUserWithDefaults() {
        String id = id();

        UserRecord user = users.getOrCreate(id, "alice", "alice@example.com");

        assertThat(user.id()).isEqualTo(id);
        assertThat(user.username()).isEqualTo("alice");
        assertThat(user.email()).isEqualTo("alice@example.com");
        assertThat(user.displayName()).isEqualTo("alice");
        assertThat(user.plan()).isEqualTo("free");
        assertThat(user.subscriptionStatus()).isEqualTo("none");
        assertThat(user.defaultVisibility()).isEqualTo("private");
        assertThat(user.stripeCustomerId()).isNull();
        assertThat(user.periodStart()).isNull();
        assertThat(user.createdAt()).isEqualTo(clock.instant());
        assertThat(user.deleting()).isFalse();
        assertThat(users.find(id)).contains(user);
    }

    @Test
    void getOrCreateReturnsTheStoredUserOnLaterCalls() {
        String id = id();
        UserRecord first = users.getOrCreate(id, "bob", "bob@example.com");
        clock.advance(Duration.ofHours(1));

        UserRecord again = users.getOrCreate(id, "bob", "other@example.com");

        assertThat(again).isEqualTo(first);
    }

    @Test
    void concurrentFirstRequestsCreateExactlyOneUser() throws Exception {
        String id = id();

        List<UserRecord> results =
                Race.run(10, i -> new UserRepository(dynamo, table, clockAt(i)).getOrCreate(id, "carol", "c@x.org"));

        assertThat(results).hasSize(10);
        assertThat(results).allSatisfy(user -> assertThat(user).isEqualTo(results.getFirst()));
        List<Map<String, AttributeValue>> items = dynamo.query(b -> b.tableName(table)
                        .keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("USER#" + id))))
                .items();
        assertThat(items).hasSize(1);
    }

    @Test
    void findOfAnUnknownUserIsEmpty() {
        assertThat(users.find(id())).isEmpty();
    }

    @Test
    void updateProfileChangesOnlyTheGivenFields() {
        String id = id();
        users.getOrCreate(id, "dave", "d@x.org");
        clock.advance(Duration.ofMinutes(5));

        UserRecord renamed = users.updateProfile(id, "Dave D.", null).orElseThrow();
        UserRecord published = users.updateProfile(id, null, "public").orElseThrow();

        assertThat(renamed.displayName()).isEqualTo("Dave D.");
        assertThat(renamed.defaultVisibility()).isEqualTo("private");
        assertThat(renamed.updatedAt()).isEqualTo(clock.instant());
        assertThat(published.displayName()).isEqualTo("Dave D.");
        assertThat(published.defaultVisibility()).isEqualTo("public");
        assertThat(users.find(id)).contains(published);
    }

    @Test
    void updateProfileOfAnUnknownUserIsEmptyAndCreatesNothing() {
        String id = id();

        assertThat(users.updateProfile(id, "ghost", "public")).isEmpty();
        assertThat(users.find(id)).isEmpty();
    }

    @Test
    void updateProfileRejectsAnUnknownVisibility() {
        String id = id();
        users.getOrCreate(id, "erin", "e@x.org");

        assertThatThrownBy(() -> users.updateProfile(id, null, "friends")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void updatePlanSetsPlanAndPeriodAndIndexesTheStripeCustomer() {
        String id = id();
        String customer = "cus_" + UUID.randomUUID();
        users.getOrCreate(id, "frank", "f@x.org");
        Instant start = Instant.parse("2026-11-14T00:00:00Z");
        Instant end = Instant.parse("2026-12-14T00:00:00Z");

        UserRecord paid = users.updatePlan(id, new PlanUpdate("pro", "active", customer, start, end))
                .orElseThrow();

        assertThat(paid.plan()).isEqualTo("pro");
        assertThat(paid.subscriptionStatus()).isEqualTo("active");
        assertThat(paid.stripeCustomerId()).isEqualTo(customer);
        assertThat(paid.periodStart()).isEqualTo(start);
        assertThat(paid.periodEnd()).isEqualTo(end);
        assertThat(users.findByStripeCustomerId(customer)).contains(paid);
        assertThat(users.findByStripeCustomerId("cus_unknown")).isEmpty();
    }

    @Test
    void updatePlanBackToFreeClearsThePeriodAndKeepsTheCustomer() {
        String id = id();
        String customer = "cus_" + UUID.randomUUID();
        users.getOrCreate(id, "gina", "g@x.org");
        users.updatePlan(
                id,
                new PlanUpdate(
                        "hobby",
                        "active",
                        customer,
                        Instant.parse("2026-11-01T00:00:00Z"),
                        Instant.parse("2026-12-01T00:00:00Z")));

        UserRecord free = users.updatePlan(id, new PlanUpdate("free", "canceled", null, null, null))
                .orElseThrow();

        assertThat(free.plan()).isEqualTo("free");
        assertThat(free.subscriptionStatus()).isEqualTo("canceled");
        assertThat(free.periodStart()).isNull();
        assertThat(free.periodEnd()).isNull();
        assertThat(free.stripeCustomerId()).isEqualTo(customer);
        assertThat(users.findByStripeCustomerId(customer)).contains(free);
    }

    @Test
    void linkStripeCustomerIndexesTheCustomerAndKeepsThePlan() {
        String id = id();
        String customer = "cus_" + UUID.randomUUID();
        users.getOrCreate(id, "ivy", "i@x.org");

        UserRecord linked = users.linkStripeCustomer(id, customer).orElseThrow();

        assertThat(linked.stripeCustomerId()).isEqualTo(customer);
        assertThat(linked.plan()).isEqualTo("free");
        assertThat(linked.subscriptionStatus()).isEqualTo("none");
        assertThat(users.findByStripeCustomerId(customer)).contains(linked);
        assertThat(users.linkStripeCustomer(id(), customer)).isEmpty();
    }

    @Test
    void updatePlanOfAnUnknownUserIsEmpty() {
        assertThat(users.updatePlan(id(), new PlanUpdate("pro", "active", null, null, null)))
                .isEmpty();
    }

    @Test
    void markDeletingSetsTheFlagOnce() {
        String id = id();
        users.getOrCreate(id, "hank", "h@x.org");

        assertThat(users.markDeleting(id)).isTrue();
        assertThat(users.markDeleting(id)).isFalse();
        assertThat(users.find(id).orElseThrow().deleting()).isTrue();
        assertThat(users.markDeleting(id())).isFalse();
    }

    @Test
    void theTombstoneHoldsNoPersonalDataAndKeepsTheFirstTimes() {
        String id = id();
        users.getOrCreate(id, "ivy", "ivy@x.org");
        Instant requested = Instant.parse("2026-11-20T08:00:00Z");

        users.writeTombstone(id, requested);
        users.writeTombstone(id, requested.plusSeconds(60));
        AccountTombstone done = users.completeTombstone(id, requested.plusSeconds(60), requested.plusSeconds(90));
        users.completeTombstone(id, requested.plusSeconds(120), requested.plusSeconds(150));

        assertThat(done).isEqualTo(new AccountTombstone(id, requested, requested.plusSeconds(90)));
        assertThat(users.findTombstone(id)).contains(done);
        assertThat(done.completed()).isTrue();
        Map<String, AttributeValue> raw = dynamo.getItem(b -> b.tableName(table)
                        .key(Map.of("pk", AttributeValue.fromS("USER#" + id), "sk", AttributeValue.fromS("TOMBSTONE"))))
                .item();
        assertThat(raw).containsOnlyKeys("pk", "sk", "type", "requestedAt", "deletedAt");
    }

    @Test
    void completingATombstoneThatIsMissingWritesIt() {
        String id = id();
        Instant requested = Instant.parse("2026-11-20T08:00:00Z");

        users.completeTombstone(id, requested, requested.plusSeconds(5));

        assertThat(users.findTombstone(id)).contains(new AccountTombstone(id, requested, requested.plusSeconds(5)));
        assertThat(users.isDeleted(id)).isTrue();
    }

    @Test
    void whileTheProfileExistsADeletingUserIsReturnedFlagged() {
        String id = id();
        users.getOrCreate(id, "jack", "j@x.org");
        users.markDeleting(id);
        users.writeTombstone(id, clock.instant());

        UserRecord user = users.getOrCreate(id, "jack", "j@x.org");

        assertThat(user.deleting()).isTrue();
        assertThat(users.isDeleted(id)).isTrue();
        assertThat(users.findTombstone(id).orElseThrow().completed()).isFalse();
    }

    @Test
    void aDeletedUserIsNotCreatedAgain() {
        String id = id();
        users.getOrCreate(id, "kim", "k@x.org");
        users.writeTombstone(id, clock.instant());
        dynamo.deleteItem(b -> b.tableName(table)
                .key(Map.of("pk", AttributeValue.fromS("USER#" + id), "sk", AttributeValue.fromS("PROFILE"))));

        assertThatThrownBy(() -> users.getOrCreate(id, "kim", "k@x.org"))
                .isInstanceOfSatisfying(
                        AccountDeletedException.class,
                        e -> assertThat(e.tombstone().userId()).isEqualTo(id));
        assertThat(users.find(id)).isEmpty();
        assertThat(users.updateProfile(id, "Kim", null)).isEmpty();
        assertThat(users.markDeleting(id)).isFalse();
        assertThat(users.find(id)).as("nothing recreated the profile").isEmpty();
    }

    @Test
    void aUserWithoutTombstoneIsNotDeleted() {
        String id = id();
        users.getOrCreate(id, "lee", null);

        assertThat(users.isDeleted(id)).isFalse();
        assertThat(users.findTombstone(id)).isEmpty();
    }

    private static MutableClock clockAt(int i) {
        return new MutableClock(Instant.parse("2026-11-14T10:00:00Z").plusMillis(i));
    }

    @Test
    void refreshEmailStoresTheEmailOfTheSignIn() {
        String id = id();
        UserRecord created = users.getOrCreate(id, "alice", null);
        assertThat(created.email()).isNull();
        assertThat(created.emailSignInAt()).isNull();
        Instant signIn = Instant.parse("2026-11-14T09:59:00Z");
        clock.advance(Duration.ofMinutes(1));

        UserRecord refreshed =
                users.refreshEmail(id, "alice@example.test", signIn).orElseThrow();

        assertThat(refreshed.email()).isEqualTo("alice@example.test");
        assertThat(refreshed.emailSignInAt()).isEqualTo(signIn);
        assertThat(refreshed.updatedAt()).isEqualTo(clock.instant());
        assertThat(users.find(id)).contains(refreshed);
    }

    @Test
    void onlyALaterSignInChangesTheStoredEmail() {
        String id = id();
        users.getOrCreate(id, "bob", null);
        Instant first = Instant.parse("2026-11-14T09:00:00Z");
        users.refreshEmail(id, "bob@old.example", first);

        assertThat(users.refreshEmail(id, "late@answer.example", first).orElseThrow())
                .as("the same sign-in again")
                .satisfies(u -> assertThat(u.email()).isEqualTo("bob@old.example"));
        assertThat(users.refreshEmail(id, "older@answer.example", first.minusSeconds(60))
                        .orElseThrow()
                        .email())
                .as("an older sign-in")
                .isEqualTo("bob@old.example");

        UserRecord later =
                users.refreshEmail(id, "bob@new.example", first.plusSeconds(1)).orElseThrow();
        assertThat(later.email()).isEqualTo("bob@new.example");
        assertThat(later.emailSignInAt()).isEqualTo(first.plusSeconds(1));
        assertThat(later.plan()).as("nothing else changes").isEqualTo("free");
    }

    @Test
    void aRefreshWithoutEmailKeepsTheStoredOneAndCoversTheSignIn() {
        String id = id();
        users.getOrCreate(id, "carol", "carol@example.test");
        Instant signIn = Instant.parse("2026-11-14T09:30:00Z");

        UserRecord refreshed = users.refreshEmail(id, null, signIn).orElseThrow();

        assertThat(refreshed.email()).isEqualTo("carol@example.test");
        assertThat(refreshed.emailSignInAt()).isEqualTo(signIn);
    }

    @Test
    void refreshEmailOfAnUnknownUserCreatesNothing() {
        String id = id();

        assertThat(users.refreshEmail(id, "ghost@example.test", Instant.parse("2026-11-14T09:00:00Z")))
                .isEmpty();
        assertThat(users.find(id)).isEmpty();
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }
}
