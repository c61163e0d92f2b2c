package com.figureforge.app.generation;

import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.app.web.ProblemResponses;
import com.figureforge.app.web.RequestShapes;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.FalCompletion;
import com.figureforge.workflows.generation.ImageGenerationWorkflows;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.temporal.client.WorkflowClient;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * fal's completion webhook: verify fal's signature over the raw body, check that the signed request is the
 * fal request of the job the URL names, and signal that job's workflow, which then collects the result.
 * The signal is idempotent, so a repeated delivery is harmless; forged and stale ones are refused and
 * counted in {@code figureforge_fal_webhooks_rejected{reason}}.
 */
@RestController
@Tag(name = "Webhooks")
class FalWebhookController {

    private static final Logger log = LoggerFactory.getLogger(FalWebhookController.class);

    static final String REJECTED_METRIC = "figureforge.fal.webhooks.rejected";

    private final FalWebhookVerifier verifier;
    private final JobRepository jobs;
    private final WorkflowClient temporal;
    private final JsonMapper json;
    private final Map<FalWebhookVerifier.Rejection, Counter> rejected =
            new EnumMap<>(FalWebhookVerifier.Rejection.class);
    private final Counter unknownJob;

    FalWebhookController(
            FigureForgeProperties properties,
            Clock clock,
            JobRepository jobs,
            WorkflowClient temporal,
            JsonMapper json,
            MeterRegistry meters) {
        var fal = properties.fal();
        this.verifier = new FalWebhookVerifier(new FalWebhookKeys(fal.jwksUrl(), clock), clock, fal.webhookTolerance());
        this.jobs = jobs;
        this.temporal = temporal;
        this.json = json;
        for (var reason : FalWebhookVerifier.Rejection.values()) {
            rejected.put(reason, rejectionCounter(meters, reason.name()));
        }
        this.unknownJob = rejectionCounter(meters, "UNKNOWN_JOB");
    }

    private static Counter rejectionCounter(MeterRegistry meters, String reason) {
        return Counter.builder(REJECTED_METRIC)
                .description("fal webhook deliveries refused (forged, stale, or not for a job of ours)")
                .tag("reason", reason.toLowerCase(Locale.ROOT))
                .register(meters);
    }

    @PostMapping(path = "/api/webhooks/fal", consumes = "application/json")
    @Operation(
            summary = "fal.ai completion webhook: verifies fal's signature and signals the job's workflow",
            description = "For fal only: no bearer token. The `X-Fal-Webhook-*` headers carry fal's Ed25519"
                    + " signature over the request id, user id, timestamp and the SHA-256 of the raw body; keys"
                    + " come from fal's JWKS and the timestamp must be within 5 minutes. The signed request id"
                    + " must be the fal request of the job named by `job`. Repeated deliveries are harmless.",
            security = {})
    @ApiResponse(
            responseCode = "200",
            description = "Received; `handled` is false when the job's run has already finished",
            content = @Content(schema = @Schema(ref = "#/components/schemas/WebhookReceipt")))
    @ProblemResponses({
        ErrorCode.WEBHOOK_SIGNATURE_INVALID,
        ErrorCode.WEBHOOK_STALE,
        ErrorCode.JOB_NOT_FOUND,
        ErrorCode.BAD_REQUEST,
        ErrorCode.SERVICE_UNAVAILABLE
    })
    Map<String, Object> receive(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            description = "fal's `{request_id, gateway_request_id, status, payload, error}`,"
                                    + " verified over these exact bytes",
                            content = @Content(schema = @Schema(type = "object")))
                    @RequestBody
                    byte[] body,
            @Parameter(description = "The job whose fal request this is (set in the URL we register with fal)")
                    @RequestParam(name = "job", required = false)
                    String job,
            @Parameter(description = "fal's request id (signed)")
                    @RequestHeader(name = "X-Fal-Webhook-Request-Id", required = false)
                    String requestId,
            @Parameter(description = "fal's user id (signed)")
                    @RequestHeader(name = "X-Fal-Webhook-User-Id", required = false)
                    String userId,
            @Parameter(description = "Unix seconds when fal sent it; more than 5 minutes off: 400 `webhook_stale`")
                    @RequestHeader(name = "X-Fal-Webhook-Timestamp", required = false)
                    String timestamp,
            @Parameter(description = "Hex Ed25519 signature; missing or wrong: 401 `webhook_signature_invalid`")
                    @RequestHeader(name = "X-Fal-Webhook-Signature", required = false)
                    String signature) {
        try {
            verifier.verify(requestId, userId, timestamp, signature, body);
        } catch (FalWebhookVerifier.RejectedException e) {
            rejected.get(e.reason).increment();
            log.warn("fal webhook for job {} refused ({}): {}", job, e.reason, e.getMessage());
            throw new ApiException(
                    e.reason == FalWebhookVerifier.Rejection.STALE_TIMESTAMP
                            ? ErrorCode.WEBHOOK_STALE
                            : ErrorCode.WEBHOOK_SIGNATURE_INVALID,
                    e.getMessage());
        } catch (FalWebhookKeys.KeysUnavailableException e) {
            throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "fal's signing keys are unavailable; retry later.");
        }
        JsonNode delivery = parse(body);
        if (!requestId.equals(delivery.path("request_id").asString(""))) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "request_id does not match X-Fal-Webhook-Request-Id.");
        }
        String jobId = ownerJob(job, requestId);
        boolean ok = "OK".equals(delivery.path("status").asString(""));
        boolean signaled;
        try {
            signaled = ImageGenerationWorkflows.signalFalCompleted(temporal, jobId, new FalCompletion(requestId, ok));
        } catch (RuntimeException e) {
            log.warn("could not signal the workflow of job {}: {}", jobId, e.toString());
            throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "The job could not be reached; retry later.");
        }
        return signaled ? Map.of("received", true) : Map.of("received", true, "handled", false);
    }

    /** The job named by the URL, when the signed request is its fal request; else 404 (and counted). */
    private String ownerJob(String job, String requestId) {
        Optional<String> stored;
        try {
            stored = jobs.find(RequestShapes.jobId(job))
                    .map(JobRecord::falSubmission)
                    .map(s -> s.requestId());
        } catch (ApiException notAJobId) {
            stored = Optional.empty();
        }
        if (stored.isEmpty() || !stored.get().equals(requestId)) {
            unknownJob.increment();
            log.warn("fal webhook for request {} names job {}, whose fal request it is not", requestId, job);
            throw new ApiException(ErrorCode.JOB_NOT_FOUND, "No job of ours has this fal request.");
        }
        return job;
    }

    private JsonNode parse(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (JacksonException ignored) {
            // answered below
        }
        throw new ApiException(ErrorCode.BAD_REQUEST, "The webhook body is not a JSON object.");
    }
}
