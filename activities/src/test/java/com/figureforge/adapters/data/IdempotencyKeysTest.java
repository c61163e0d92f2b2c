package com.figureforge.adapters.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.IdempotencyKeys.IdempotencyKey;
import com.figureforge.adapters.data.IdempotencyKeys.State;
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

class IdempotencyKeysTest {

    private static final DynamoDbClient dynamo = TestDynamo.client();
    private static String table;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-14T10:00:00Z"));
    private IdempotencyKeys keys;
    private String user;

    @BeforeAll
    static void createTable() {
        table = TestDynamo.freshTable("idempotency");
    }

    @BeforeEach
    void setUp() {
        keys = new IdempotencyKeys(dynamo, table, clock);
        user = "user-" + UUID.randomUUID();
    }

    @Test
    void racersClaimingOneKeyAllSeeTheOneWinnerInProgress() throws Exception {
        List<IdempotencyKey> holders = Race.run(8, i -> keys.claim(user, "k", "fp", "job-" + i));

        assertThat(holders)
                .extracting(IdempotencyKey::jobId)
                .containsOnly(holders.getFirst().jobId());
        assertThat(holders).extracting(IdempotencyKey::state).containsOnly(State.IN_PROGRESS);
        assertThat(keys.find(user, "k"))
                .map(IdempotencyKey::jobId)
                .contains(holders.getFirst().jobId());
    }

    @Test
    void keysAreScopedToTheUser() {
        String other = "user-" + UUID.randomUUID();

        assertThat(keys.claim(user, "shared", "fp", "job-a").jobId()).isEqualTo("job-a");
        assertThat(keys.claim(other, "shared", "fp", "job-b").jobId()).isEqualTo("job-b");
        assertThat(keys.claim(user, "shared", "fp", "job-c").jobId()).isEqualTo("job-a");
    }

    @Test
    void aClaimRecordsTheFingerprintAndExpiresAfterADay() {
        IdempotencyKey claimed = keys.claim(user, "k", "fp-1", "job-1");

        assertThat(claimed.sameRequest("fp-1")).isTrue();
        assertThat(claimed.sameRequest("fp-2")).isFalse();
        assertThat(claimed.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(24)));
        Map<String, AttributeValue> item = rawItem("k");
        assertThat(item.get(FigureForgeTable.TTL).n())
                .isEqualTo(
                        Long.toString(clock.instant().plus(Duration.ofHours(24)).getEpochSecond()));
        assertThat(item.get(FigureForgeTable.TYPE).s()).isEqualTo("idempotency_key");
        assertThat(item.get("state").s()).isEqualTo("in_progress");
    }

    @Test
    void bindingMakesTheKeyBoundAndABoundKeyIsNeverReleased() {
        keys.claim(user, "k", "fp", "job-1");

        assertThat(keys.bind(user, "k", "job-2"))
                .as("another job cannot bind it")
                .isFalse();
        assertThat(keys.bind(user, "k", "job-1")).isTrue();
        assertThat(keys.bind(user, "k", "job-1")).as("idempotent").isTrue();
        assertThat(keys.release(user, "k", "job-1")).isFalse();
        assertThat(keys.takeOver(user, "k", "job-1", "fp", "job-3")).isFalse();

        IdempotencyKey held = keys.claim(user, "k", "fp", "job-4");
        assertThat(held.jobId()).isEqualTo("job-1");
        assertThat(held.state()).isEqualTo(State.BOUND);
    }

    @Test
    void aReleasedKeyCanBeClaimedAgainWithAnotherBody() {
        keys.claim(user, "k", "fp-1", "job-1");

        assertThat(keys.release(user, "k", "job-2")).as("only its own claim").isFalse();
        assertThat(keys.release(user, "k", "job-1")).isTrue();
        assertThat(keys.find(user, "k")).isEmpty();

        IdempotencyKey again = keys.claim(user, "k", "fp-2", "job-2");
        assertThat(again.jobId()).isEqualTo("job-2");
        assertThat(again.fingerprint()).isEqualTo("fp-2");
    }

    @Test
    void anExpiredKeyReadsAsAbsentAndIsTakenByTheNextClaim() {
        keys.claim(user, "k", "fp-1", "job-1");
        keys.bind(user, "k", "job-1");

        clock.advance(Duration.ofHours(24));
        assertThat(keys.find(user, "k")).as("still alive at exactly 24 h").isPresent();
        assertThat(keys.claim(user, "k", "fp-2", "job-2").jobId()).isEqualTo("job-1");

        clock.advance(Duration.ofSeconds(1));
        assertThat(keys.find(user, "k"))
                .as("dynalite never deletes it; reads must skip it")
                .isEmpty();
        assertThat(rawItem("k")).isNotEmpty();

        IdempotencyKey fresh = keys.claim(user, "k", "fp-2", "job-2");
        assertThat(fresh.jobId()).isEqualTo("job-2");
        assertThat(fresh.state()).isEqualTo(State.IN_PROGRESS);
        assertThat(fresh.sameRequest("fp-2")).isTrue();
    }

    @Test
    void racersClaimingAnExpiredKeyGetOneWinner() throws Exception {
        keys.claim(user, "k", "fp", "job-old");
        clock.advance(Duration.ofHours(25));

        List<IdempotencyKey> holders = Race.run(6, i -> keys.claim(user, "k", "fp", "job-" + i));

        assertThat(holders)
                .extracting(IdempotencyKey::jobId)
                .containsOnly(holders.getFirst().jobId());
        assertThat(holders.getFirst().jobId()).isNotEqualTo("job-old");
    }

    @Test
    void oneOfSeveralRequestsTakesOverAStaleClaim() throws Exception {
        keys.claim(user, "k", "fp", "job-stale");

        List<Boolean> took = Race.run(6, i -> keys.takeOver(user, "k", "job-stale", "fp", "job-" + i));

        assertThat(took).containsOnlyOnce(true);
        String winner = "job-" + took.indexOf(true);
        IdempotencyKey now = keys.find(user, "k").orElseThrow();
        assertThat(now.jobId()).isEqualTo(winner);
        assertThat(now.state()).isEqualTo(State.IN_PROGRESS);
        assertThat(keys.release(user, "k", "job-stale"))
                .as("the stale request cannot release it")
                .isFalse();
    }

    private Map<String, AttributeValue> rawItem(String key) {
        return dynamo.getItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.user(user), Keys.idempotency(key)))
                        .consistentRead(true))
                .item();
    }
}
