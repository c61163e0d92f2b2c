package com.figureforge.app.generation;

import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.VariationSetRecord;
import com.figureforge.app.ratelimit.RateLimited;
import com.figureforge.app.users.CurrentUser;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.app.web.ProblemResponses;
import com.figureforge.app.web.RequestShapes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

@RestController
@Tag(name = "Images")
class VariationSetsController {

    private static final String IDEMPOTENCY_KEY_DOC = "Optional, as on POST /api/images/generate/: the same key and"
            + " body return the same set, charged once (Idempotent-Replayed: true); another body is 422"
            + " idempotency_key_reused; a refused request frees its key.";

    private final VariationSets variations;
    private final GenerationService generation;
    private final ImageLinks links;
    private final JsonMapper json;

    VariationSetsController(VariationSets variations, GenerationService generation, ImageLinks links, JsonMapper json) {
        this.variations = variations;
        this.generation = generation;
        this.links = links;
        this.json = json;
    }

    @PostMapping(path = "/api/images/variations", consumes = "application/json")
    @RateLimited("generate")
    @Operation(
            summary = "Start a variation set: one job per value of one control, everything else and the seed locked"
                    + " (202 + Location)",
            description = "The body is a generation request (the base) plus `vary` (camera_angle, lighting, pose or"
                    + " body_type) and `values` (2 to 8 distinct values of it). The set costs values x num_images,"
                    + " reserved whole in one conditional write or refused with nothing reserved: 402"
                    + " `quota_exceeded` when the period has no room for all of it, 429 `too_many_jobs` when no"
                    + " in-flight slot is free (a set enters like one job; its jobs then hold a slot each until"
                    + " they finish). What is wrong with `vary`/`values` is 422 `invalid_variation_set`; the base"
                    + " fields answer as on generate (400 `validation_failed`). Counts as one request against the"
                    + " generate rate limit.")
    @ApiResponse(
            responseCode = "202",
            description = "The set's jobs are queued (or, for a repeated Idempotency-Key, the set it started)",
            headers = {
                @Header(name = "Location", description = "The set's URL", schema = @Schema(type = "string")),
                @Header(
                        name = "Idempotent-Replayed",
                        description = "true when this answer repeats the set of an earlier request with the same key",
                        schema =
                                @Schema(
                                        type = "string",
                                        allowableValues = {"true", "false"}))
            })
    @ProblemResponses({
        ErrorCode.INVALID_VARIATION_SET,
        ErrorCode.QUOTA_EXCEEDED,
        ErrorCode.TOO_MANY_JOBS,
        ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        ErrorCode.PROMPT_NOT_ALLOWED,
        ErrorCode.SERVICE_UNAVAILABLE
    })
    @SecurityRequirement(name = "bearer")
    ResponseEntity<VariationSetView> create(
            CurrentUser caller,
            @RequestBody(required = false) VariationSetRequest request,
            @Parameter(description = IDEMPOTENCY_KEY_DOC) @RequestHeader(name = "Idempotency-Key", required = false)
                    String idempotencyKey) {
        VariationSets.Accepted accepted = variations.start(caller, request, idempotencyKey);
        VariationSetRecord set = accepted.set();
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/images/variations/" + set.setId() + "/"))
                .header("Idempotent-Replayed", Boolean.toString(accepted.replayed()))
                .body(view(set));
    }

    @GetMapping("/api/images/variations/{setId}")
    @Operation(
            summary = "A variation set of the caller, each value with its job's status and images; another user's"
                    + " set is a 404",
            description = "Poll it while `status` is `running`: each job's images appear as that job succeeds.")
    @ProblemResponses(ErrorCode.VARIATION_SET_NOT_FOUND)
    @SecurityRequirement(name = "bearer")
    VariationSetView set(CurrentUser caller, @PathVariable String setId) {
        return view(variations.ownedSet(caller, RequestShapes.variationSetId(setId)));
    }

    private VariationSetView view(VariationSetRecord set) {
        List<Optional<JobRecord>> jobs = variations.jobsOf(set);
        List<VariationSetView.Variation> entries = new ArrayList<>();
        boolean running = false;
        int charged = 0;
        for (int i = 0; i < set.values().size(); i++) {
            String value = set.values().get(i);
            String jobId = set.jobIds().get(i);
            Optional<JobRecord> found = jobs.get(i);
            if (found.isEmpty()) {
                // Recorded after the set; only a request that died in between leaves it missing.
                entries.add(new VariationSetView.Variation(value, jobId, "queued", null, List.of(), null));
                running = true;
                continue;
            }
            JobRecord job = found.get();
            running |= !job.status().finished();
            charged += job.chargedImages();
            entries.add(new VariationSetView.Variation(
                    value,
                    jobId,
                    job.status().wire(),
                    job.prompt(),
                    generation.imagesOf(job).stream().map(links::view).toList(),
                    job.errorCode() == null ? null : new JobView.JobError(job.errorCode(), job.errorMessage())));
        }
        return new VariationSetView(
                set.setId(),
                set.vary(),
                set.values(),
                set.seed(),
                set.numImages(),
                running ? "running" : "finished",
                charged,
                set.requestJson() == null ? null : json.readTree(set.requestJson()),
                set.createdAt(),
                entries);
    }
}
