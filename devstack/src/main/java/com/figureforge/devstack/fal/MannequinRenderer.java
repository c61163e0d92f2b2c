package com.figureforge.devstack.fal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Draws a wooden artist's mannequin in a {@link MannequinPose}: head, torso, capsule limbs with
 * joint balls, on a floor with a ground line. Everything that varies comes from the seed (colours
 * and a few degrees of play in every joint), so the same seed, pose and size give the same bytes.
 *
 * <p>Lengths are in head heights (an adult is about 7.5 heads tall); y grows downwards as in the
 * image.
 */
final class MannequinRenderer {

    static {
        System.setProperty("java.awt.headless", "true");
        // ImageIO's disk cache only slows in-memory encoding down and leaves temp files behind.
        ImageIO.setUseCache(false);
    }

    private static final double NECK = 0.35;
    private static final double TORSO = 2.6;
    private static final double SHOULDER_HALF_WIDTH = 0.85;
    private static final double HIP_HALF_WIDTH = 0.5;
    private static final double UPPER_ARM = 1.35;
    private static final double FOREARM = 1.25;
    private static final double THIGH = 1.9;
    private static final double SHIN = 1.85;
    private static final double FOOT = 0.55;
    private static final double SIDE_VIEW_NARROWING = 0.28;
    private static final double JOINT_PLAY_DEGREES = 4;

    private MannequinRenderer() {}

    /** The encoded image; a black frame of the same size when {@code blackedOut} (safety checker). */
    static byte[] render(
            int width, int height, MannequinPose pose, long seed, boolean blackedOut, FluxInput.OutputFormat format) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        if (!blackedOut) {
            Graphics2D g = image.createGraphics();
            try {
                draw(g, width, height, pose, seed);
            } finally {
                g.dispose();
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            if (!ImageIO.write(image, format == FluxInput.OutputFormat.PNG ? "png" : "jpg", out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void draw(Graphics2D g, int width, int height, MannequinPose pose, long seed) {
        Random random = new Random(seed);
        Palette palette = Palette.from(random);
        Figure figure = Figure.pose(pose.joints(), random);

        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);

        double spanX = figure.maxX - figure.minX;
        double spanY = figure.groundY - figure.minY;
        double scale = Math.min(width * 0.82 / spanX, height * 0.80 / spanY);
        double offsetX = width / 2.0 - (figure.minX + figure.maxX) / 2 * scale;
        double offsetY = height * 0.48 - (figure.minY + figure.groundY) / 2 * scale;
        double groundPx = figure.groundY * scale + offsetY;

        g.setColor(palette.background);
        g.fillRect(0, 0, width, height);
        g.setColor(palette.floor);
        g.fill(new Rectangle2D.Double(0, groundPx, width, height - groundPx));
        g.setColor(palette.groundLine);
        g.setStroke(new BasicStroke((float) Math.max(1.5, 0.05 * scale)));
        g.draw(new Line2D.Double(0, groundPx, width, groundPx));

        double shadowWidth = spanX * scale * (figure.lift > 0 ? 0.45 : 0.7);
        double centreX = (figure.minX + figure.maxX) / 2 * scale + offsetX;
        g.setColor(palette.shadow);
        g.fill(new Ellipse2D.Double(centreX - shadowWidth / 2, groundPx - 0.12 * scale, shadowWidth, 0.24 * scale));

        AffineTransform previous = g.getTransform();
        g.translate(offsetX, offsetY);
        g.scale(scale, scale);
        double outline = Math.max(1.2 / scale, 0.05);
        if (figure.seat != null) {
            g.setColor(palette.seat);
            g.fill(figure.seat);
            g.setColor(palette.groundLine);
            g.setStroke(new BasicStroke((float) outline));
            g.draw(figure.seat);
        }
        for (Part part : figure.parts) {
            part.paint(g, palette, outline);
        }
        g.setTransform(previous);
    }

    private record Point(double x, double y) {
        static Point towards(double degrees, double length) {
            double radians = Math.toRadians(degrees);
            return new Point(Math.sin(radians) * length, Math.cos(radians) * length);
        }

        Point plus(Point other) {
            return new Point(x + other.x, y + other.y);
        }

        Point minus(Point other) {
            return new Point(x - other.x, y - other.y);
        }

        Point times(double factor) {
            return new Point(x * factor, y * factor);
        }
    }

    private enum Shade {
        BODY,
        FAR,
        JOINT
    }

    /** A capsule (thick line with round ends) or, when {@code head}, an ellipse around {@code from}. */
    private record Part(Point from, Point to, double width, Shade shade, boolean head, double headAngle) {

        static Part capsule(Point from, Point to, double width, Shade shade) {
            return new Part(from, to, width, shade, false, 0);
        }

        static Part ball(Point centre, double diameter) {
            return new Part(centre, centre, diameter, Shade.JOINT, false, 0);
        }

        void paint(Graphics2D g, Palette palette, double outline) {
            Color fill = switch (shade) {
                case BODY -> palette.body;
                case FAR -> palette.farBody;
                case JOINT -> palette.joint;
            };
            if (head) {
                AffineTransform previous = g.getTransform();
                g.translate(from.x, from.y);
                g.rotate(Math.toRadians(180 - headAngle));
                Ellipse2D.Double shape = new Ellipse2D.Double(-0.39, -0.5, 0.78, 1.0);
                g.setColor(fill);
                g.fill(shape);
                g.setColor(palette.outline);
                g.setStroke(new BasicStroke((float) outline));
                g.draw(shape);
                g.setTransform(previous);
                return;
            }
            Line2D.Double line = new Line2D.Double(from.x, from.y, to.x, to.y);
            g.setColor(palette.outline);
            g.setStroke(new BasicStroke((float) (width + 2 * outline), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(line);
            g.setColor(fill);
            g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(line);
        }

        double lowest() {
            return head ? from.y + 0.5 : Math.max(from.y, to.y) + width / 2;
        }

        double highest() {
            return head ? from.y - 0.5 : Math.min(from.y, to.y) - width / 2;
        }

        double leftmost() {
            return head ? from.x - 0.5 : Math.min(from.x, to.x) - width / 2;
        }

        double rightmost() {
            return head ? from.x + 0.5 : Math.max(from.x, to.x) + width / 2;
        }
    }

    /** The posed figure in body units, in paint order, with its bounds and ground line. */
    private static final class Figure {
        final List<Part> parts = new ArrayList<>();
        Rectangle2D.Double seat;
        double lift;
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double groundY = -Double.MAX_VALUE;

        static Figure pose(MannequinPose.Joints joints, Random random) {
            Figure figure = new Figure();
            figure.lift = joints.lift();
            boolean side = joints.sideView();
            double narrowing = side ? SIDE_VIEW_NARROWING : 1;

            double torsoAngle = joints.torso() + play(random, 0.6);
            Point up = Point.towards(torsoAngle, 1);
            Point right = Point.towards(torsoAngle - 90, 1);
            Point hipAxis = Point.towards(torsoAngle - 90 - joints.hipTilt(), 1);

            Point pelvis = new Point(0, 0);
            Point neck = up.times(TORSO);
            Point shoulderBase = up.times(TORSO - 0.25);
            Point rightShoulder = shoulderBase.plus(right.times(SHOULDER_HALF_WIDTH * narrowing));
            Point leftShoulder = shoulderBase.minus(right.times(SHOULDER_HALF_WIDTH * narrowing));
            Point rightHip = pelvis.plus(hipAxis.times(HIP_HALF_WIDTH * narrowing));
            Point leftHip = pelvis.minus(hipAxis.times(HIP_HALF_WIDTH * narrowing));
            double headAngle = torsoAngle + joints.headTilt() + play(random, 1.2);
            Point headCentre = neck.plus(Point.towards(headAngle, NECK + 0.5));

            Limb leftArm =
                    playedLimb(random, leftShoulder, joints.leftUpperArm(), UPPER_ARM, joints.leftForearm(), FOREARM);
            Limb rightArm = playedLimb(
                    random, rightShoulder, joints.rightUpperArm(), UPPER_ARM, joints.rightForearm(), FOREARM);
            Limb leftLeg = playedLimb(random, leftHip, joints.leftThigh(), THIGH, joints.leftShin(), SHIN);
            Limb rightLeg = playedLimb(random, rightHip, joints.rightThigh(), THIGH, joints.rightShin(), SHIN);

            double chestWidth = side ? 1.05 : 1.55;
            double waistWidth = side ? 0.85 : 1.1;
            Point chestTop = up.times(TORSO - 0.45);
            Point chestBottom = up.times(TORSO * 0.5);
            Point waistBottom = up.times(0.25);

            Shade farShade = side ? Shade.FAR : Shade.BODY;
            if (side) {
                figure.arm(leftArm, farShade);
                figure.leg(leftLeg, farShade, sideFootAngle(joints.leftShin()));
            } else {
                figure.leg(leftLeg, Shade.BODY, joints.leftShin() - 75);
                figure.leg(rightLeg, Shade.BODY, joints.rightShin() + 75);
            }
            figure.add(Part.capsule(leftHip, rightHip, side ? 1.0 : 0.85, Shade.BODY));
            figure.add(Part.capsule(chestBottom, waistBottom, waistWidth, Shade.BODY));
            figure.add(Part.capsule(chestTop, chestBottom, chestWidth, Shade.BODY));
            if (!side) {
                figure.add(Part.capsule(leftShoulder, rightShoulder, 0.5, Shade.BODY));
            }
            figure.add(Part.capsule(neck.minus(up.times(0.2)), neck.plus(up.times(NECK)), 0.32, Shade.BODY));
            figure.add(new Part(headCentre, headCentre, 1.0, Shade.BODY, true, headAngle));
            if (side) {
                figure.leg(rightLeg, Shade.BODY, sideFootAngle(joints.rightShin()));
                figure.arm(rightArm, Shade.BODY);
            } else {
                figure.arm(leftArm, Shade.BODY);
                figure.arm(rightArm, Shade.BODY);
            }

            figure.groundY += figure.lift;
            if (joints.seated()) {
                double seatTop = pelvis.y + 0.32;
                figure.seat = new Rectangle2D.Double(pelvis.x - 1.0, seatTop, 1.9, figure.groundY - seatTop);
                figure.minX = Math.min(figure.minX, figure.seat.x);
                figure.maxX = Math.max(figure.maxX, figure.seat.x + figure.seat.width);
            }
            return figure;
        }

        private void arm(Limb arm, Shade shade) {
            add(Part.capsule(arm.root, arm.middle, 0.42, shade));
            add(Part.capsule(arm.middle, arm.end, 0.34, shade));
            add(Part.ball(arm.root, 0.46));
            add(Part.ball(arm.middle, 0.34));
            add(Part.capsule(arm.end, arm.end, 0.42, shade));
        }

        private void leg(Limb leg, Shade shade, double footAngle) {
            add(Part.capsule(leg.root, leg.middle, 0.62, shade));
            add(Part.capsule(leg.middle, leg.end, 0.46, shade));
            add(Part.ball(leg.middle, 0.46));
            add(Part.capsule(leg.end, leg.end.plus(Point.towards(footAngle, FOOT)), 0.26, shade));
        }

        private void add(Part part) {
            parts.add(part);
            minX = Math.min(minX, part.leftmost());
            maxX = Math.max(maxX, part.rightmost());
            minY = Math.min(minY, part.highest());
            groundY = Math.max(groundY, part.lowest());
        }

        /** Seen from the side a foot points forward, unless the shin is folded back along the floor. */
        private static double sideFootAngle(double shin) {
            return shin <= -60 ? shin : shin + 90;
        }

        /** A limb whose two joints each get their own play, upper joint first (the seed fixes the order). */
        private static Limb playedLimb(
                Random random,
                Point root,
                double upperAngle,
                double upperLength,
                double lowerAngle,
                double lowerLength) {
            return Limb.of(root, upperAngle + play(random, 1), upperLength, lowerAngle + play(random, 1), lowerLength);
        }

        private static double play(Random random, double factor) {
            return (random.nextDouble() * 2 - 1) * JOINT_PLAY_DEGREES * factor;
        }
    }

    private record Limb(Point root, Point middle, Point end) {
        static Limb of(Point root, double upperAngle, double upperLength, double lowerAngle, double lowerLength) {
            Point middle = root.plus(Point.towards(upperAngle, upperLength));
            return new Limb(root, middle, middle.plus(Point.towards(lowerAngle, lowerLength)));
        }
    }

    private record Palette(
            Color background,
            Color floor,
            Color groundLine,
            Color shadow,
            Color body,
            Color farBody,
            Color joint,
            Color outline,
            Color seat) {

        static Palette from(Random random) {
            float hue = random.nextFloat();
            float saturation = 0.08f + 0.10f * random.nextFloat();
            float woodHue = 0.06f + 0.04f * random.nextFloat();
            float woodSaturation = 0.35f + 0.15f * random.nextFloat();
            float woodBrightness = 0.78f + 0.10f * random.nextFloat();
            return new Palette(
                    Color.getHSBColor(hue, saturation, 0.94f),
                    Color.getHSBColor(hue, saturation + 0.05f, 0.82f),
                    Color.getHSBColor(hue, saturation + 0.1f, 0.45f),
                    Color.getHSBColor(hue, saturation + 0.05f, 0.70f),
                    Color.getHSBColor(woodHue, woodSaturation, woodBrightness),
                    Color.getHSBColor(woodHue, woodSaturation, woodBrightness * 0.82f),
                    Color.getHSBColor(woodHue, woodSaturation + 0.1f, woodBrightness * 0.68f),
                    Color.getHSBColor(woodHue, woodSaturation + 0.2f, 0.30f),
                    Color.getHSBColor(hue, 0.12f, 0.55f));
        }
    }
}
