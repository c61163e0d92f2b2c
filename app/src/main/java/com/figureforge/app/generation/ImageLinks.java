package com.figureforge.app.generation;

import com.figureforge.adapters.data.ImageRecord;
import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.app.config.FigureForgeProperties;
import org.springframework.stereotype.Component;

/** Image views with fresh presigned URLs: the bucket is private, links expire after the configured TTL. */
@Component
class ImageLinks {

    private final S3ImageStore store;
    private final FigureForgeProperties properties;

    ImageLinks(S3ImageStore store, FigureForgeProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    ImageView view(ImageRecord image) {
        var ttl = properties.images().urlTtl();
        return new ImageView(
                image.imageId(),
                image.jobId(),
                store.presignGet(image.key(), ttl).toString(),
                store.presignGet(image.thumbnailKey(), ttl).toString(),
                image.width(),
                image.height(),
                image.contentType(),
                image.seed(),
                image.prompt(),
                image.visibility(),
                image.createdAt());
    }
}
