package com.figureforge.app.moderation;

import com.figureforge.activities.generation.PublicCopies;
import com.figureforge.adapters.data.ImageRecord;
import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.ImageStates;
import com.figureforge.adapters.data.InvalidCursorException;
import com.figureforge.adapters.data.Page;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.generation.ImageLinks;
import com.figureforge.app.generation.ImageView;
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
import java.time.Instant;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The review queue, for members of the moderator group only (SecurityConfiguration answers everyone else 403
 * {@code forbidden}). Images whose reports reached the threshold wait here, newest first, until a moderator
 * restores them (back in the gallery, reports cleared) or removes them (deleted everywhere, as the owner's
 * delete does).
 */
@RestController
@Tag(name = "Moderation")
class ModerationController {

    private final ImageRepository images;
    private final ImageStates states;
    private final PublicCopies publicCopies;
    private final ImageLinks links;
    private final FigureForgeProperties properties;

    ModerationController(
            ImageRepository images,
            ImageStates states,
            PublicCopies publicCopies,
            ImageLinks links,
            FigureForgeProperties properties) {
        this.images = images;
        this.states = states;
        this.publicCopies = publicCopies;
        this.links = links;
        this.properties = properties;
    }

    /** One report as moderators see it (no reporter: reports are stored without one). */
    record ReportView(String reason, String note, Instant reportedAt) {}

    /**
     * @param image the image, with presigned links of its private objects
     * @param hiddenAt when the last report took it out of the gallery
     */
    record ReviewView(ImageView image, Instant hiddenAt, int reportCount, List<ReportView> reports) {}

    record ReviewPageView(List<ReviewView> items, String nextCursor) {}

    @GetMapping("/api/moderation/reports")
    @Operation(
            summary = "Images held for review after reports, newest first (moderators only)",
            description = "Pages of `limit`; pass `next_cursor` back as `cursor`. Members of the moderator group"
                    + " only; everyone else gets 403 `forbidden`.")
    @ProblemResponses({ErrorCode.FORBIDDEN, ErrorCode.VALIDATION_FAILED, ErrorCode.INVALID_CURSOR})
    @SecurityRequirement(name = "bearer")
    ReviewPageView reports(
            CurrentUser caller,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        int size = limit(limit);
        String after = RequestShapes.cursor(cursor);
        Page<ImageStates.Review> page;
        try {
            page = states.pageReviews(size, after);
        } catch (InvalidCursorException e) {
            throw RequestShapes.invalidCursor();
        }
        return new ReviewPageView(page.items().stream().map(this::view).toList(), page.nextCursor());
    }

    @PostMapping("/api/moderation/reports/{imageId}/restore")
    @Operation(
            summary = "Restore an image held for review: reports cleared, back in the gallery if public",
            description = "Answers the image. An image not held for review is a 409 `image_not_under_review`.")
    @ProblemResponses({ErrorCode.FORBIDDEN, ErrorCode.IMAGE_NOT_FOUND, ErrorCode.IMAGE_NOT_UNDER_REVIEW})
    @SecurityRequirement(name = "bearer")
    ImageView restore(CurrentUser caller, @PathVariable String imageId) {
        ImageRecord image = existing(imageId);
        if (!image.pendingReview()) {
            throw notUnderReview(imageId);
        }
        // The public copy first, then the gallery entry that points at it.
        ImageRecord copied = image.isPublic() ? publicCopies.publish(image) : image;
        ImageRecord restored = states.restore(image.imageId(), copied.publicKey(), copied.publicThumbnailKey())
                .orElseThrow(() -> notUnderReview(imageId));
        return links.view(restored);
    }

    @PostMapping("/api/moderation/reports/{imageId}/remove")
    @Operation(
            summary = "Remove an image for good (204): deleted everywhere, as its owner's delete does",
            description = "Works on any image, held for review or not. The owner's quota is not refunded.")
    @ApiResponse(responseCode = "204", description = "Removed")
    @ProblemResponses({ErrorCode.FORBIDDEN, ErrorCode.IMAGE_NOT_FOUND})
    @SecurityRequirement(name = "bearer")
    ResponseEntity<Void> remove(CurrentUser caller, @PathVariable String imageId) {
        publicCopies.deleteEverywhere(existing(imageId));
        return ResponseEntity.noContent().build();
    }

    private ReviewView view(ImageStates.Review review) {
        return new ReviewView(
                links.view(review.image()),
                review.hiddenAt(),
                review.image().reportCount(),
                review.reports().stream()
                        .map(r -> new ReportView(r.reason(), r.note(), r.at()))
                        .toList());
    }

    private ImageRecord existing(String imageId) {
        return images.find(RequestShapes.imageId(imageId))
                .orElseThrow(() -> new ApiException(ErrorCode.IMAGE_NOT_FOUND, "No image " + imageId + "."));
    }

    private static ApiException notUnderReview(String imageId) {
        return new ApiException(ErrorCode.IMAGE_NOT_UNDER_REVIEW, "Image " + imageId + " is not held for review.");
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
}
