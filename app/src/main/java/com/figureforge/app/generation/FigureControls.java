package com.figureforge.app.generation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The documented values of each structured control, and the words each adds to the model prompt.
 * Wire values are snake_case and stable; the phrases may be tuned without breaking clients.
 */
public final class FigureControls {

    public static final Map<String, String> POSE = ordered(
            "standing", "standing upright, weight on both feet",
            "contrapposto", "standing in contrapposto, weight on one leg, hips and shoulders tilted",
            "walking", "walking mid-stride",
            "running", "running, one foot off the ground, arms swinging",
            "jumping", "jumping in mid-air, both feet off the ground",
            "sitting", "sitting on a stool",
            "kneeling", "kneeling on one knee",
            "crouching", "crouching low on the balls of the feet",
            "reclining", "reclining on one elbow",
            "lying", "lying on the back",
            "arms_raised", "standing with both arms raised overhead",
            "reaching", "reaching forward with one arm extended",
            "twisting", "twisting the torso, looking over the shoulder",
            "dynamic_action", "in a dynamic action pose, strong line of action");

    public static final Map<String, String> BODY_TYPE = ordered(
            "slim", "slim",
            "average", "average build",
            "athletic", "athletic",
            "muscular", "muscular",
            "curvy", "curvy",
            "heavyset", "heavyset",
            "stocky", "stocky");

    public static final Map<String, String> GENDER = ordered(
            "female", "woman",
            "male", "man",
            "androgynous", "androgynous person");

    public static final Map<String, String> AGE_RANGE = ordered(
            "young_adult", "young adult",
            "adult", "adult",
            "middle_aged", "middle-aged",
            "senior", "senior");

    public static final Map<String, String> CLOTHING = ordered(
            "leotard", "wearing a plain leotard",
            "swimwear", "wearing simple one-piece swimwear",
            "athletic_wear", "wearing fitted athletic wear",
            "casual", "wearing casual clothes",
            "formal", "wearing formal clothes",
            "draped_fabric", "wrapped in draped fabric",
            "armor", "wearing armor",
            "fantasy_costume", "wearing a fantasy costume");

    public static final Map<String, String> CAMERA_ANGLE = ordered(
            "eye_level", "eye-level camera",
            "low_angle", "low-angle camera looking up",
            "high_angle", "high-angle camera looking down",
            "birds_eye", "bird's-eye view from directly above",
            "worms_eye", "worm's-eye view from the ground",
            "dutch_angle", "dutch angle, tilted camera",
            "over_the_shoulder", "over-the-shoulder view");

    public static final Map<String, String> SHOT = ordered(
            "full_body", "full-body shot, head to feet in frame",
            "three_quarter", "three-quarter shot, head to knees",
            "portrait", "portrait shot, head and shoulders",
            "hands", "close-up of the hands",
            "feet", "close-up of the feet");

    public static final Map<String, String> LIGHTING = ordered(
            "studio", "even studio lighting",
            "soft", "soft diffused lighting",
            "rim", "rim lighting outlining the figure",
            "dramatic", "dramatic lighting with deep shadows",
            "chiaroscuro", "chiaroscuro lighting, strong contrast between light and shadow",
            "natural", "natural daylight",
            "golden_hour", "warm golden-hour light",
            "backlit", "backlit silhouette lighting");

    public static final Map<String, String> BACKGROUND = ordered(
            "plain_white", "plain white background",
            "plain_gray", "plain neutral gray background",
            "studio_backdrop", "seamless studio backdrop",
            "gradient", "soft gradient background",
            "outdoor", "simple outdoor setting",
            "urban", "simple urban street setting",
            "interior", "simple interior room");

    public static final Map<String, String> STYLE = ordered(
            "photo", "photograph",
            "3d_render", "3D render",
            "sketch", "pencil sketch",
            "charcoal", "charcoal drawing",
            "ink", "ink drawing",
            "painting", "oil painting",
            "mannequin", "wooden artist's mannequin");

    /** Aspect ratio to fal's {@code image_size} preset. */
    public static final Map<String, String> ASPECT_RATIO = ordered(
            "1:1", "square_hd",
            "3:4", "portrait_4_3",
            "9:16", "portrait_16_9",
            "4:3", "landscape_4_3",
            "16:9", "landscape_16_9");

    public static final List<String> VISIBILITY = List.of("private", "public");

    /** Every control by its JSON field name, for validation messages and the options listing. */
    public static final Map<String, Map<String, String>> ALL = ordered(
            "pose", POSE,
            "body_type", BODY_TYPE,
            "gender", GENDER,
            "age_range", AGE_RANGE,
            "clothing", CLOTHING,
            "camera_angle", CAMERA_ANGLE,
            "shot", SHOT,
            "lighting", LIGHTING,
            "background", BACKGROUND,
            "style", STYLE,
            "aspect_ratio", ASPECT_RATIO);

    private FigureControls() {}

    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> ordered(Object... pairs) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (V) pairs[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
