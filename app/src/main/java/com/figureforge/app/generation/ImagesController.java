package com.figureforge.app.generation;

import com.figureforge.adapters.data.ImageRecord;
import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.InvalidCursorException;
import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.Page;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.ratelimit.RateLimited;
import com.figureforge.app.users.CurrentUser;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ApiException.FieldError;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.app.web.ProblemResponses;
import com.figureforge.app.web.RequestShapes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

@RestController
@Tag(name = "Images")
class ImagesController {

    private static final String IDEMPOTENCY_KEY_DOC = "Optional, 1-255 visible ASCII characters, remembered 24 h per"
            + " user: the same key and body return the same job, charged once (Idempotent-Replayed: true); another"
            + " body is 422 idempotency_key_reused; while the first request is still being accepted, 409"
            + " idempotency_key_in_progress; a refused request (400, 402, 429, 503) frees its key.";

    private final GenerationService generation;
    private final ImageRepository images;
    private final ImageLinks links;
    private final GalleryPages galleryPages;
    private final FigureForgeProperties properties;
    private final JsonMapper json;

    ImagesController(
            GenerationService generation,
            ImageRepository images,
            ImageLinks links,
            GalleryPages galleryPages,
            FigureForgeProperties properties,
            JsonMapper json) {
        this.generation = generation;
        this.images = images;
        this.links = links;
        this.galleryPages = galleryPages;
        this.properties = properties;
        this.json = json;
    }

    @PostMapping(path = "/api/images/generate", consumes = "application/json")
    @RateLimited("generate")
    @Operation(
            summary = "Start a generation job (202 + Location); the same Idempotency-Key returns the same job",
            description = "Reserves the images against the monthly quota at once (402 `quota_exceeded` when it"
                    + " has no room, 429 `too_many_jobs` at the plan's in-flight cap) and starts the job's workflow."
                    + " Follow the job at its Location.")
    @ApiResponse(
            responseCode = "202",
            description = "The job is queued (or, for a repeated Idempotency-Key, the job it started)",
            headers = {
                @Header(name = "Location", description = "The job's URL", schema = @Schema(type = "string")),
                @Header(
                        name = "Idempotent-Replayed",
                        description = "true when this answer repeats the job of an earlier request with the same key",
                        schema =
                                @Schema(
                                        type = "string",
                                        allowableValues = {"true", "false"}))
            })
    @ProblemResponses({
        ErrorCode.QUOTA_EXCEEDED,
        ErrorCode.TOO_MANY_JOBS,
        ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        ErrorCode.PROMPT_NOT_ALLOWED,
        ErrorCode.SERVICE_UNAVAILABLE
    })
    @SecurityRequirement(name = "bearer")
    ResponseEntity<JobView> generate(
            CurrentUser caller,
            @RequestBody(required = false) GenerationRequest request,
            @Parameter(description = IDEMPOTENCY_KEY_DOC) @RequestHeader(name = "Idempotency-Key", required = false)
                    String idempotencyKey) {
        GenerationService.Accepted accepted = generation.start(caller, request, idempotencyKey);
        JobRecord job = accepted.job();
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/images/job/" + job.jobId() + "/"))
                .header("Idempotent-Replayed", Boolean.toString(accepted.replayed()))
                .body(view(job, false));
    }

    @GetMapping("/api/images/job/{jobId}")
    @Operation(
            summary = "A job of the caller, with live progress while it runs; another user's job is a 404",
            description = "Status, the request, images with presigned URLs once stored, the error of a failed job,"
                    + " and `progress` from the workflow while it runs.")
    @ProblemResponses(ErrorCode.JOB_NOT_FOUND)
    @SecurityRequirement(name = "bearer")
    JobView job(CurrentUser caller, @PathVariable String jobId) {
        return view(generation.ownedJob(caller, RequestShapes.jobId(jobId)), true);
    }

    @DeleteMapping("/api/images/job/{jobId}")
    @Operation(
            summary = "Cancel a job that has not finished; its quota comes back (202)",
            description = "Refunded when fal had not started the work; a cancel after that is charged and the job"
                    + " says so (`refunded` false). A finished job is a 409 `job_already_finished`.")
    @ApiResponse(responseCode = "202", description = "Cancellation requested; the job as it stands")
    @ProblemResponses({ErrorCode.JOB_NOT_FOUND, ErrorCode.JOB_ALREADY_FINISHED})
    @SecurityRequirement(name = "bearer")
    ResponseEntity<JobView> cancel(CurrentUser caller, @PathVariable String jobId) {
        JobRecord job = generation.cancel(caller, RequestShapes.jobId(jobId));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(view(job, false));
    }

    @GetMapping("/api/images/user")
    @Operation(
            summary = "The caller's images, newest first",
            description = "Pages of `limit` images; pass `next_cursor` back as `cursor` for the next page.")
    @ProblemResponses({ErrorCode.VALIDATION_FAILED, ErrorCode.INVALID_CURSOR})
    @SecurityRequirement(name = "bearer")
    ImagePageView mine(
            CurrentUser caller,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        int size = limit(limit);
        String after = RequestShapes.cursor(cursor);
        return page(() -> images.pageByUser(caller.id(), size, after), links::view);
    }

    @GetMapping("/api/images/gallery")
    @RateLimited("gallery")
    @Operation(
            summary = "Public images of all users, newest first",
            description = "No token needed. Pages of `limit` images; pass `next_cursor` back as `cursor`. Links point"
                    + " at public copies whose URLs name no user; within a signing window the same image has the"
                    + " same URL. A page is served from a cache a few seconds old (`Cache-Control: public, max-age`),"
                    + " with a strong `ETag`: send it back as `If-None-Match` for a 304 while the page is unchanged.",
            security = {})
    @ApiResponse(
            responseCode = "200",
            description = "A page of public images",
            headers = {
                @Header(name = "ETag", description = "Strong validator of the page", schema = @Schema(type = "string")),
                @Header(
                        name = "Cache-Control",
                        description = "public, max-age=N: how long a client or CDN may keep the page",
                        schema = @Schema(type = "string"))
            })
    @ApiResponse(
            responseCode = "304",
            description = "The page still has the ETag sent in If-None-Match",
            content = @Content,
            headers = {
                @Header(name = "ETag", description = "Strong validator of the page", schema = @Schema(type = "string"))
            })
    @ProblemResponses({ErrorCode.VALIDATION_FAILED, ErrorCode.INVALID_CURSOR})
    ResponseEntity<ImagePageView> gallery(
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        int size = limit(limit);
        String after = RequestShapes.cursor(cursor);
        GalleryPages.CachedPage page =
                galleryPages.page(size, after, () -> page(() -> images.pageGallery(size, after), links::publicView));
        // Spring MVC answers 304 itself when If-None-Match carries this ETag.
        return ResponseEntity.ok()
                .eTag(page.etag())
                .cacheControl(CacheControl.maxAge(galleryPages.maxAge()).cachePublic())
                .body(page.view());
    }

    private ImagePageView page(Supplier<Page<ImageRecord>> query, Function<ImageRecord, ImageView> view) {
        try {
            var page = query.get();
            // A null view is an image the page leaves out (see ImageLinks.publicView).
            return new ImagePageView(
                    page.items().stream().map(view).filter(Objects::nonNull).toList(), page.nextCursor());
        } catch (InvalidCursorException e) {
            throw RequestShapes.invalidCursor();
        }
    }

    private int limit(Integer limit) {
        var paging = properties.paging();
        if (limit == null) {
            return paging.defaultLimit();
        }
        if (limit < 1 || limit > paging.maxLimit()) {
            throw new ApiException(
                    ErrorCode.VALIDATION_FAILED,
                    "limit must be between 1 and " + paging.maxLimit() + ".",
                    List.of(new FieldError("limit", "must be between 1 and " + paging.maxLimit())));
        }
        return limit;
    }

    private JobView view(JobRecord job, boolean live) {
        JobView.Progress progress = live && !job.status().finished() ? progress(job.jobId()) : null;
        List<ImageView> imageViews =
                generation.imagesOf(job).stream().map(links::view).toList();
        JobView.JobError error =
                job.errorCode() == null ? null : new JobView.JobError(job.errorCode(), job.errorMessage());
        return new JobView(
                job.jobId(),
                job.status().wire(),
                job.requestJson() == null ? null : json.readTree(job.requestJson()),
                job.prompt(),
                imageViews,
                error,
                progress,
                job.createdAt(),
                job.startedAt(),
                job.finishedAt(),
                job.chargedImages(),
                job.status().finished() ? job.chargedImages() < job.numImages() : null);
    }

    private JobView.Progress progress(String jobId) {
        return generation
                .liveProgress(jobId)
                .map(live -> new JobView.Progress(
                        live.falStatus(), live.queuePosition(), live.imagesStored(), live.imagesExpected()))
                .orElse(null);
    }
}
