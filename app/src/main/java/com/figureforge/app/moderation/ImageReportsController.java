package com.figureforge.app.moderation;

import com.figureforge.activities.generation.PublicCopies;
import com.figureforge.adapters.data.ImageRecord;
import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.ImageStates;
import com.figureforge.adapters.data.ImageStates.ReportOutcome;
import com.figureforge.app.ratelimit.RateLimited;
import com.figureforge.app.users.CurrentUser;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ApiException.FieldError;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.app.web.ProblemResponses;
import com.figureforge.app.web.RequestShapes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reporting a public image. Each signed-in user counts once per image; after the configured number of
 * distinct reports the image leaves the gallery until a moderator restores or removes it.
 */
@RestController
@Tag(name = "Moderation")
class ImageReportsController {

    static final int MAX_NOTE = 500;

    private final ImageRepository images;
    private final ImageStates states;
    private final PublicCopies publicCopies;
    private final ModerationProperties properties;
    private final Clock clock;

    ImageReportsController(
            ImageRepository images,
            ImageStates states,
            PublicCopies publicCopies,
            ModerationProperties properties,
            Clock clock) {
        this.images = images;
        this.states = states;
        this.publicCopies = publicCopies;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * @param reason one of nudity, violence, hate, spam, copyright, other
     * @param note optional, at most 500 characters
     */
    record ReportRequest(String reason, String note) {}

    @PostMapping(path = "/api/images/{imageId}/report", consumes = "application/json")
    @RateLimited("report")
    @Operation(
            summary = "Report a public image (204); a repeat by the same user is harmless and not counted again",
            description = "`reason` is one of nudity, violence, hate, spam, copyright, other; `note` is optional (at"
                    + " most 500 characters). A private or unknown image is a 404; reporting one's own image is a 422"
                    + " `cannot_report_own_image` (make it private or delete it instead). After enough distinct"
                    + " reports the image leaves the gallery until a moderator decides.")
    @ApiResponse(responseCode = "204", description = "Report received")
    @ProblemResponses({ErrorCode.IMAGE_NOT_FOUND, ErrorCode.VALIDATION_FAILED, ErrorCode.CANNOT_REPORT_OWN_IMAGE})
    @SecurityRequirement(name = "bearer")
    ResponseEntity<Void> report(CurrentUser caller, @PathVariable String imageId, @RequestBody ReportRequest request) {
        ImageRecord image = images.find(RequestShapes.imageId(imageId))
                .filter(ImageRecord::isPublic)
                .orElseThrow(() -> notFound(imageId));
        String note = validNote(request);
        if (image.userId().equals(caller.id())) {
            throw new ApiException(
                    ErrorCode.CANNOT_REPORT_OWN_IMAGE,
                    "You cannot report your own image; make it private or delete it.");
        }
        ReportOutcome outcome = states.report(
                image.imageId(),
                caller.id(),
                new ImageStates.Report(request.reason(), note, clock.instant()),
                properties.reportThreshold());
        switch (outcome) {
            case NOT_FOUND -> throw notFound(imageId);
            // Out of the gallery now: its public copy goes, so known links stop working too.
            case HIDDEN -> publicCopies.unpublish(image);
            case RECORDED, ALREADY_REPORTED -> {}
        }
        return ResponseEntity.noContent().build();
    }

    private static String validNote(ReportRequest request) {
        List<FieldError> errors = new ArrayList<>();
        String reason = request == null ? null : request.reason();
        if (reason == null || !ReportReasons.ALL.contains(reason)) {
            errors.add(new FieldError("reason", "must be one of " + ReportReasons.ALL));
        }
        String note = request == null || request.note() == null
                ? null
                : request.note().strip();
        if (note != null && note.length() > MAX_NOTE) {
            errors.add(new FieldError("note", "must be at most " + MAX_NOTE + " characters"));
        }
        if (note != null && note.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n')) {
            errors.add(new FieldError("note", "must not contain control characters"));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "The report is invalid.", errors);
        }
        return note == null || note.isEmpty() ? null : note;
    }

    private static ApiException notFound(String imageId) {
        return new ApiException(ErrorCode.IMAGE_NOT_FOUND, "No public image " + imageId + ".");
    }
}
