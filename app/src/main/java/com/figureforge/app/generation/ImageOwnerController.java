package com.figureforge.app.generation;

import com.figureforge.activities.generation.PublicCopies;
import com.figureforge.adapters.data.ImageRecord;
import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.ImageStates;
import com.figureforge.adapters.data.Visibility;
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
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The owner's controls of one image: visibility and deletion. Another user's image is a 404, as an unknown
 * one is.
 *
 * <p>Both run on the request thread: a visibility change is at most two CopyObject (image, thumbnail) or one
 * DeleteObjects plus one UpdateItem, each idempotent, so a failed request is repaired by repeating it and
 * needs no workflow. A crash between the copy and the write leaves at worst an unlisted copy of an image
 * that was about to be public.
 */
@RestController
@Tag(name = "Images")
class ImageOwnerController {

    /**
     * One image, but not the collections beside it: without the look-ahead, PATCH or DELETE on
     * {@code /api/images/gallery} would be taken for an image named "gallery" and answer 404, where the
     * route exists and only the method is wrong (405 with {@code Allow}).
     */
    static final String ONE_IMAGE = "/api/images/{imageId:(?!(?:gallery|user|generate)$).+}";

    private final ImageRepository images;
    private final ImageStates states;
    private final PublicCopies publicCopies;
    private final ImageLinks links;

    ImageOwnerController(ImageRepository images, ImageStates states, PublicCopies publicCopies, ImageLinks links) {
        this.images = images;
        this.states = states;
        this.publicCopies = publicCopies;
        this.links = links;
    }

    /** @param visibility {@code public} or {@code private} */
    record VisibilityChange(String visibility) {}

    @PatchMapping(path = ONE_IMAGE, consumes = "application/json")
    @Operation(
            summary = "Make one of the caller's images public or private; answers the image",
            description = "`{\"visibility\": \"public\"}` lists it in the gallery at once (with a public copy whose"
                    + " URL names no user); `private` takes it out at once and deletes that copy. Repeating is"
                    + " harmless. An image held for review after reports stays out of the gallery until a"
                    + " moderator restores it (`moderation` = `pending_review`).")
    @ProblemResponses({ErrorCode.IMAGE_NOT_FOUND, ErrorCode.VALIDATION_FAILED})
    @SecurityRequirement(name = "bearer")
    ImageView changeVisibility(CurrentUser caller, @PathVariable String imageId, @RequestBody VisibilityChange change) {
        ImageRecord image = owned(caller, imageId);
        String visibility = change == null ? null : change.visibility();
        if (!Visibility.PUBLIC.equals(visibility) && !Visibility.PRIVATE.equals(visibility)) {
            throw new ApiException(
                    ErrorCode.VALIDATION_FAILED,
                    "visibility must be public or private.",
                    List.of(new FieldError("visibility", "must be one of [public, private]")));
        }
        if (visibility.equals(image.visibility()) && (!image.listedInGallery() || image.publicKey() != null)) {
            return links.view(image);
        }
        ImageRecord updated;
        if (Visibility.PUBLIC.equals(visibility)) {
            // The copy first, then the listing that points at it; an image held for review gets its copy
            // when a moderator restores it.
            ImageRecord copied = image.pendingReview() ? image : publicCopies.publish(image);
            updated = states.updateVisibility(
                            image.imageId(), caller.id(), visibility, copied.publicKey(), copied.publicThumbnailKey())
                    .orElseThrow(() -> notFound(imageId));
        } else {
            // The listing first, then the copy it pointed at.
            updated = states.updateVisibility(image.imageId(), caller.id(), visibility, null, null)
                    .orElseThrow(() -> notFound(imageId));
            publicCopies.unpublish(image);
        }
        return links.view(updated);
    }

    @DeleteMapping(ONE_IMAGE)
    @Operation(
            summary = "Delete one of the caller's images everywhere (204); not refunded",
            description = "Removes the image, its thumbnail and any public copy from storage, and its listings,"
                    + " its reports and its place in its job. The quota it used stays used. Repeating is a 404.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ProblemResponses(ErrorCode.IMAGE_NOT_FOUND)
    @SecurityRequirement(name = "bearer")
    ResponseEntity<Void> delete(CurrentUser caller, @PathVariable String imageId) {
        publicCopies.deleteEverywhere(owned(caller, imageId));
        return ResponseEntity.noContent().build();
    }

    private ImageRecord owned(CurrentUser caller, String imageId) {
        return images.find(RequestShapes.imageId(imageId))
                .filter(image -> image.userId().equals(caller.id()))
                .orElseThrow(() -> notFound(imageId));
    }

    private static ApiException notFound(String imageId) {
        return new ApiException(ErrorCode.IMAGE_NOT_FOUND, "No image " + imageId + ".");
    }
}
