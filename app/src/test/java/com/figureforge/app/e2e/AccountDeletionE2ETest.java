package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.devstack.oidc.OidcIssuer;
import com.figureforge.devstack.stripe.StripeEmulator;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.deletion.AccountDeletionWorkflow.AccountDeletionResult;
import com.figureforge.workflows.deletion.AccountDeletionWorkflow.DeletionProgress;
import com.figureforge.workflows.deletion.DeletionStep;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;

/** DELETE /api/auth/delete/ leaves nothing of the user in DynamoDB, S3 and Stripe but a tombstone. */
@FigureForgeE2E
class AccountDeletionE2ETest {

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    FalEmulator fal;

    @Autowired
    StripeEmulator stripe;

    @Autowired
    UserRepository users;

    @Autowired
    WorkflowClient temporal;

    @Autowired
    DynamoDbClient dynamo;

    @Autowired
    S3Client s3;

    @Autowired
    FigureForgeProperties properties;

    ApiClient api;
    E2ESupport e2e;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        e2e = new E2ESupport(api, issuer, users);
        fal.resetFaults();
    }

    @AfterEach
    void resetFal() {
        fal.resetFaults();
    }

    @Test
    void deletionLeavesOnlyATombstoneAndClosesBilling() {
        var user = e2e.newUser("free");
        String sessionId = api.post("/api/subscriptions/checkout/", user.token(), "{\"plan\":\"hobby\"}")
                .json()
                .get("session_id")
                .asString();
        String customerId = stripe.completeCheckout(sessionId)
                .get(0)
                .dataObject()
                .get("customer")
                .asString();
        awaitPlan(user, "hobby");
        String jobId = e2e.startJob(user, "{\"num_images\":2,\"visibility\":\"public\"}");
        JsonNode job = e2e.awaitFinished(user, jobId);
        assertThat(job.get("status").asString()).isEqualTo("succeeded");
        List<String> imageIds = job.get("images")
                .valueStream()
                .map(image -> image.get("id").asString())
                .toList();
        assertThat(galleryIds()).containsAll(imageIds);
        for (String imageId : imageIds) {
            assertThat(s3.listObjectsV2(b ->
                                    b.bucket(properties.aws().s3().bucket()).prefix("public/" + imageId))
                            .keyCount())
                    .as("image and thumbnail have public copies")
                    .isEqualTo(2);
        }

        var first = api.delete("/api/auth/delete/", user.token());
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(first.json().get("status").asString()).isEqualTo("deleting");
        assertThat(api.delete("/api/auth/delete", user.token()).status())
                .as("repeating is harmless")
                .isEqualTo(202);

        AccountDeletionResult result = awaitDeletion(user);
        assertThat(result.stripeCustomersClosed()).containsExactly(customerId);
        // The in-process test server cannot delete executions (no DeleteWorkflowExecution): the step runs,
        // finds the user's closed executions and says so; WorkflowExecutionEraserTest shows the deleting.
        assertThat(temporal.newUntypedWorkflowStub(WorkflowIds.accountDeletion(user.id()))
                        .query("progress", DeletionProgress.class)
                        .completed())
                .contains(DeletionStep.DELETE_WORKFLOW_EXECUTIONS);

        assertNothingLeft(user.id(), List.of(jobId), imageIds);
        assertThat(stripe.requests()).as("the Stripe customer was deleted").anySatisfy(r -> {
            assertThat(r.method()).isEqualTo("DELETE");
            assertThat(r.path()).isEqualTo("/v1/customers/" + customerId);
            assertThat(r.status()).isEqualTo(200);
        });
        assertThat(stripe.customer(customerId)).isEmpty();
        assertThat(stripe.subscriptions(customerId))
                .allSatisfy(sub -> assertThat(sub.get("status").asString()).isEqualTo("canceled"));
        assertThat(temporal.newUntypedWorkflowStub(WorkflowIds.subscription(user.id()))
                        .describe()
                        .getStatus())
                .as("the subscription workflow does not outlive the user")
                .isNotEqualTo(io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
        assertProblem(api.get("/api/auth/user/", user.token()), 410, "account_deleted");
        assertProblem(e2e.generate(user, "{}"), 410, "account_deleted");
    }

    @Test
    void aGenerationStartedJustBeforeDeletionLeavesNoOrphanImage() {
        var user = e2e.newUser("hobby");
        fal.setLatency(Duration.ofMillis(200), Duration.ofSeconds(2));
        String jobId = e2e.startJob(user, "{\"num_images\":2,\"visibility\":\"public\"}");

        assertThat(api.delete("/api/auth/delete/", user.token()).status()).isEqualTo(202);
        assertProblem(e2e.generate(user, "{}"), 409, "account_deleting");
        awaitDeletion(user);
        // Give a generation that ignored the cancel every chance to write late.
        E2ESupport.sleep(3000);

        assertNothingLeft(user.id(), List.of(jobId), List.of(jobId + "-0", jobId + "-1"));
    }

    private AccountDeletionResult awaitDeletion(E2ESupport.User user) {
        try {
            return temporal.newUntypedWorkflowStub(WorkflowIds.accountDeletion(user.id()))
                    .getResult(90, TimeUnit.SECONDS, AccountDeletionResult.class);
        } catch (Exception e) {
            throw new AssertionError("the deletion did not finish", e);
        }
    }

    private void assertNothingLeft(String userId, List<String> jobIds, List<String> imageIds) {
        String table = properties.aws().dynamodb().table();
        var partition = dynamo.query(b -> b.tableName(table)
                        .keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("USER#" + userId)))
                        .consistentRead(true))
                .items();
        assertThat(partition).as("only the tombstone stays").singleElement().satisfies(item -> {
            assertThat(item.get("sk").s()).isEqualTo("TOMBSTONE");
            assertThat(item.keySet()).doesNotContain("username", "email", "displayName");
        });
        var owned = dynamo.query(b -> b.tableName(table)
                        .indexName("gsi2")
                        .keyConditionExpression("gsi2pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("USER#" + userId))))
                .items();
        assertThat(owned).as("no job or image listed under the user").isEmpty();
        for (String jobId : jobIds) {
            assertThat(dynamo.getItem(b -> b.tableName(table)
                                    .key(Map.of(
                                            "pk", AttributeValue.fromS("JOB#" + jobId),
                                            "sk", AttributeValue.fromS("JOB")))
                                    .consistentRead(true))
                            .item())
                    .isNullOrEmpty();
        }
        for (String imageId : imageIds) {
            assertThat(dynamo.getItem(b -> b.tableName(table)
                                    .key(Map.of(
                                            "pk", AttributeValue.fromS("IMG#" + imageId),
                                            "sk", AttributeValue.fromS("IMG")))
                                    .consistentRead(true))
                            .item())
                    .isNullOrEmpty();
        }
        assertThat(galleryIds()).doesNotContainAnyElementsOf(imageIds);
        assertThat(s3.listObjectsV2(
                                b -> b.bucket(properties.aws().s3().bucket()).prefix("images/" + userId + "/"))
                        .keyCount())
                .as("no object under the user's prefix")
                .isZero();
        for (String imageId : imageIds) {
            assertThat(s3.listObjectsV2(b ->
                                    b.bucket(properties.aws().s3().bucket()).prefix("public/" + imageId))
                            .keyCount())
                    .as("no public copy of " + imageId)
                    .isZero();
        }
    }

    private List<String> galleryIds() {
        return api.get("/api/images/gallery/?limit=100", null)
                .json()
                .get("items")
                .valueStream()
                .map(item -> item.get("id").asString())
                .toList();
    }

    private void awaitPlan(E2ESupport.User user, String plan) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (plan.equals(
                    api.get("/api/auth/user/", user.token()).json().get("plan").asString())) {
                return;
            }
            E2ESupport.sleep(200);
        }
        throw new AssertionError("user never reached plan " + plan);
    }
}
