package com.figureforge.app.generation;

import com.figureforge.activities.generation.PublicCopies;
import com.figureforge.adapters.data.ImageRecord;
import com.figureforge.adapters.data.ImageStates;
import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.app.config.FigureForgeProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Image views with links. The owner (and moderators) get fresh presigned URLs of the private objects
 * ({@code images/{user}/...}); the gallery gets links to the public copies ({@code public/...}), which name
 * no user (docs/security.md, "Public images").
 */
@Component
public class ImageLinks {

    private static final Logger log = LoggerFactory.getLogger(ImageLinks.class);

    private final S3ImageStore store;
    private final FigureForgeProperties properties;
    private final PublicImageUrls publicUrls;
    private final PublicCopies publicCopies;
    private final ImageStates states;

    ImageLinks(
            S3ImageStore store,
            FigureForgeProperties properties,
            PublicImageUrls publicUrls,
            PublicCopies publicCopies,
            ImageStates states) {
        this.store = store;
        this.properties = properties;
        this.publicUrls = publicUrls;
        this.publicCopies = publicCopies;
        this.states = states;
    }

    /** The owner's view: presigned links of the private objects, and the moderation state. */
    public ImageView view(ImageRecord image) {
        var ttl = properties.images().urlTtl();
        return view(
                image,
                store.presignGet(image.key(), ttl).toString(),
                store.presignGet(image.thumbnailKey(), ttl).toString());
    }

    /**
     * The public view of a gallery image, or null when it has no public copy and none can be made: links to
     * its public copy. An image listed before public copies
     * existed gets its copy now, once (one CopyObject per object and one UpdateItem), so old public images
     * never fall back to a link that names their owner.
     */
    ImageView publicView(ImageRecord image) {
        ImageRecord copied = image;
        if (image.publicKey() == null || image.publicThumbnailKey() == null) {
            try {
                copied = publicCopies.publish(image);
            } catch (RuntimeException e) {
                // An object that is missing or stored under an unexpected key: the page goes on without
                // this image rather than failing for everyone or linking a key that names the owner.
                log.warn("gallery image {} left out: no public copy ({})", image.imageId(), e.toString());
                return null;
            }
            states.recordPublicCopy(image.imageId(), copied.publicKey(), copied.publicThumbnailKey());
        }
        return view(copied, publicUrls.url(copied.publicKey()), publicUrls.url(copied.publicThumbnailKey()));
    }

    private static ImageView view(ImageRecord image, String url, String thumbnailUrl) {
        return new ImageView(
                image.imageId(),
                image.jobId(),
                url,
                thumbnailUrl,
                image.width(),
                image.height(),
                image.contentType(),
                image.seed(),
                image.prompt(),
                image.visibility(),
                image.createdAt(),
                image.moderation());
    }
}
