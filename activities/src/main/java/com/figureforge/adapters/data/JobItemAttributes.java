package com.figureforge.adapters.data;

import static com.figureforge.adapters.data.Items.n;
import static com.figureforge.adapters.data.Items.putString;
import static com.figureforge.adapters.data.Items.s;

import com.figureforge.workflows.generation.FalSubmission;
import com.figureforge.workflows.generation.StoredImage;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The nested attributes of a job item: its stored images and its fal submission (see {@link JobRepository}). */
final class JobItemAttributes {

    private static final String FAL_REQUEST_ID = "requestId";
    private static final String FAL_STATUS_URL = "statusUrl";
    private static final String FAL_RESPONSE_URL = "responseUrl";
    private static final String FAL_CANCEL_URL = "cancelUrl";

    private JobItemAttributes() {}

    static AttributeValue storedToAttribute(StoredImage image) {
        Map<String, AttributeValue> map = new HashMap<>();
        map.put("imageId", s(image.imageId()));
        map.put("index", n(image.index()));
        map.put("key", s(image.key()));
        putString(map, "thumbnailKey", image.thumbnailKey());
        map.put("width", n(image.width()));
        map.put("height", n(image.height()));
        putString(map, "contentType", image.contentType());
        map.put("sizeBytes", n(image.sizeBytes()));
        map.put("seed", n(image.seed()));
        return AttributeValue.fromM(map);
    }

    static StoredImage storedFromAttribute(Map<String, AttributeValue> map) {
        return new StoredImage(
                Items.string(map, "imageId"),
                (int) Items.number(map, "index", 0),
                Items.string(map, "key"),
                Items.string(map, "thumbnailKey"),
                (int) Items.number(map, "width", 0),
                (int) Items.number(map, "height", 0),
                Items.string(map, "contentType"),
                Items.number(map, "sizeBytes", 0),
                Items.number(map, "seed", 0));
    }

    static AttributeValue falToAttribute(FalSubmission submission) {
        Map<String, AttributeValue> map = new HashMap<>();
        map.put(FAL_REQUEST_ID, s(Objects.requireNonNull(submission.requestId(), "requestId")));
        putString(map, FAL_STATUS_URL, submission.statusUrl());
        putString(map, FAL_RESPONSE_URL, submission.responseUrl());
        putString(map, FAL_CANCEL_URL, submission.cancelUrl());
        return AttributeValue.fromM(map);
    }

    static FalSubmission falFromAttribute(Map<String, AttributeValue> map) {
        return new FalSubmission(
                Items.string(map, FAL_REQUEST_ID),
                Items.string(map, FAL_STATUS_URL),
                Items.string(map, FAL_RESPONSE_URL),
                Items.string(map, FAL_CANCEL_URL));
    }
}
