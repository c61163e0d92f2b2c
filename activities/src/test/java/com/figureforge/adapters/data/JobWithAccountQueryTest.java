package com.figureforge.adapters.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.JobWithAccountQuery.JobWithAccount;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class JobWithAccountQueryTest {

    private static final DynamoDbClient dynamo = TestDynamo.client();
    private static String table;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
    private JobRepository jobs;
    private UserRepository users;
    private JobWithAccountQuery query;

    @BeforeAll
    static void createTable() {
        table = TestDynamo.freshTable("job-with-account");
    }

    @BeforeEach
    void setUp() {
        jobs = new JobRepository(dynamo, table, clock);
        users = new UserRepository(dynamo, table, clock);
        query = new JobWithAccountQuery(dynamo, table);
    }

    @Test
    void readsTheJobAndAnOpenAccountTogether() {
        String user = id("user");
        users.getOrCreate(user, user, user + "@example.test");
        JobRecord job = job(user);

        JobWithAccount read = query.read(job.jobId(), user);

        assertThat(read.job()).contains(job);
        assertThat(read.profile()).map(UserRecord::id).contains(user);
        assertThat(read.tombstone()).isFalse();
        assertThat(read.accountClosing()).isFalse();
    }

    @Test
    void anAccountFlaggedForDeletionIsClosing() {
        String user = id("user");
        users.getOrCreate(user, user, user + "@example.test");
        JobRecord job = job(user);
        users.markDeleting(user);

        JobWithAccount read = query.read(job.jobId(), user);

        assertThat(read.job()).contains(job);
        assertThat(read.accountClosing()).isTrue();
    }

    @Test
    void aProfileGoneWithItsTombstoneLeftIsClosing() {
        String user = id("user");
        JobRecord job = job(user);
        users.writeTombstone(user, clock.instant());

        JobWithAccount read = query.read(job.jobId(), user);

        assertThat(read.profile()).isEmpty();
        assertThat(read.tombstone()).isTrue();
        assertThat(read.accountClosing()).isTrue();
    }

    @Test
    void neitherJobNorAccountIsAnEmptyAnswerNotAClosingAccount() {
        JobWithAccount read = query.read(id("job"), id("user"));

        assertThat(read.job()).isEmpty();
        assertThat(read.profile()).isEmpty();
        // No profile and no tombstone: a user that was never created (tests, operators), not a deleted one.
        assertThat(read.accountClosing()).isFalse();
    }

    @Test
    void anotherUsersAccountIsNotMistakenForTheJobsOwner() {
        String owner = id("owner");
        String other = id("other");
        users.getOrCreate(owner, owner, owner + "@example.test");
        users.getOrCreate(other, other, other + "@example.test");
        users.markDeleting(owner);
        JobRecord job = job(owner);

        JobWithAccount read = query.read(job.jobId(), other);

        assertThat(read.profile()).map(UserRecord::id).contains(other);
        assertThat(read.accountClosing()).isFalse();
    }

    private JobRecord job(String user) {
        JobRecord job = JobRecord.queued(id("job"), user, "{}", "a figure", 1, "private", "2026-11", clock.instant());
        jobs.create(job);
        return job;
    }

    private static String id(String what) {
        return what + "-" + UUID.randomUUID();
    }
}
