package com.figureforge.devstack.fal;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The poses the emulator can draw, each with the prompt words that select it and the joint angles
 * that draw it.
 *
 * <p>Angles are in degrees, measured from "straight down" and growing towards +x (image right):
 * 0 hangs down, 90 points right, 180 points up, -90 points left. Side-view poses face right, so
 * "forward" is +x; for them the {@code right*} limbs are the near ones and the {@code left*} limbs
 * the far ones.
 *
 * <p>Declaration order is matching priority: a prompt that says "kneeling" and "arms raised" is a
 * kneeling figure. {@link #STANDING} matches last and is the default.
 */
enum MannequinPose {
    RECLINING(
            "reclin\\w*|lying|lies|lie down|lying down|laying|supine|prone",
            new Joints(120, 30, -60, -80, 15, 90, -92, -90, -125, -60, 0, true, 0, false)),
    KNEELING(
            "kneel\\w*|on (?:one|both|his|her|their) knees?",
            new Joints(182, 0, -10, 5, 25, 80, 0, -90, 85, 2, 0, true, 0, false)),
    CROUCHING(
            "crouch\\w*|squat\\w*|hunch\\w*", new Joints(145, 20, 35, 70, 45, 35, 70, -35, 62, -28, 0, true, 0, false)),
    SITTING("sit|sits|sitting|seated|sat", new Joints(178, 0, 15, 75, 25, 85, 88, 5, 92, -3, 0, true, 0, true)),
    JUMPING(
            "jump\\w*|leap\\w*|mid-air|midair|airborne",
            new Joints(180, 0, -150, -165, 150, 165, -35, 25, 35, -25, 0, false, 1.6, false)),
    RUNNING(
            "run|runs|running|sprint\\w*|jog\\w*",
            new Joints(163, 10, -45, 20, 50, 135, -35, -105, 65, 8, 0, true, 0.35, false)),
    WALKING(
            "walk\\w*|strid\\w*|strolling|stepping",
            new Joints(178, 3, 22, 35, -20, -5, -20, -32, 22, 8, 0, true, 0, false)),
    DYNAMIC(
            "dynamic|action|fight\\w*|lung\\w*|punch\\w*|kick\\w*|throw\\w*|martial arts",
            new Joints(158, 8, -125, -150, 95, 92, -55, -62, 68, 2, 0, true, 0, false)),
    ARMS_RAISED(
            "arms? (?:raised|up|overhead|above (?:the|his|her|their) head)|raised arms|raising (?:the|his|her|their) arms"
                    + "|hands up|reaching up|stretching up",
            new Joints(180, 0, -160, -172, 160, 172, -4, -2, 4, 2, 0, false, 0, false)),
    CONTRAPPOSTO(
            "contrapposto|weight on one (?:leg|foot)|hip shot",
            new Joints(175, -8, -40, 60, 8, 4, 4, -2, -6, 10, 8, false, 0, false)),
    STANDING(
            "stand\\w*|upright|neutral pose|t-pose|a-pose",
            new Joints(180, 0, -12, -6, 12, 6, -4, -2, 4, 2, 0, false, 0, false));

    /**
     * Joint angles of one pose.
     *
     * @param torso direction from pelvis to neck (180 = upright)
     * @param headTilt extra tilt of the head relative to the torso
     * @param hipTilt rotation of the hip line (positive lowers the right hip)
     * @param sideView drawn from the side: narrow shoulders and hips, far limbs shaded
     * @param lift how far (in head heights) the lowest point floats above the ground
     * @param seated draws a seat block under the pelvis
     */
    record Joints(
            double torso,
            double headTilt,
            double leftUpperArm,
            double leftForearm,
            double rightUpperArm,
            double rightForearm,
            double leftThigh,
            double leftShin,
            double rightThigh,
            double rightShin,
            double hipTilt,
            boolean sideView,
            double lift,
            boolean seated) {}

    private final Pattern keywords;
    private final Joints joints;

    MannequinPose(String keywordRegex, Joints joints) {
        this.keywords = Pattern.compile("\\b(?:" + keywordRegex + ")\\b");
        this.joints = joints;
    }

    Joints joints() {
        return joints;
    }

    /** The first pose whose words appear in the prompt; {@link #STANDING} when none does. */
    static MannequinPose fromPrompt(String prompt) {
        if (prompt == null) {
            return STANDING;
        }
        String text = prompt.toLowerCase(Locale.ROOT);
        for (MannequinPose pose : values()) {
            if (pose.keywords.matcher(text).find()) {
                return pose;
            }
        }
        return STANDING;
    }
}
