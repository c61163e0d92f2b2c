package com.figureforge.devstack.fal;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MannequinRendererTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            full body figure, standing, studio light                  | STANDING
            a figure in classical contrapposto                       | CONTRAPPOSTO
            woman sitting on a stool, three-quarter view             | SITTING
            man kneeling on one knee                                 | KNEELING
            athlete running, motion                                  | RUNNING
            walking pose, side view                                  | WALKING
            dancer jumping                                           | JUMPING
            model reclining on a sofa                                | RECLINING
            figure lying on the floor                                | RECLINING
            crouching figure                                         | CROUCHING
            standing with arms raised overhead                       | ARMS_RAISED
            dynamic action pose, dramatic lighting                   | DYNAMIC
            portrait, soft light                                     | STANDING
            Sitting and ARMS RAISED                                  | SITTING
            """)
    void picksThePoseFromPromptWords(String prompt, MannequinPose expected) {
        assertThat(MannequinPose.fromPrompt(prompt)).isEqualTo(expected);
    }

    @Test
    void wordsInsideOtherWordsDoNotSelectAPose() {
        assertThat(MannequinPose.fromPrompt("a saturated, outstanding portrait"))
                .isEqualTo(MannequinPose.STANDING);
        assertThat(MannequinPose.fromPrompt("transaction")).isEqualTo(MannequinPose.STANDING);
    }

    @Test
    void sameSeedPoseAndSizeGiveTheSameBytesAndAnotherSeedDoesNot() {
        byte[] first = render(640, 480, MannequinPose.RUNNING, 1234);
        byte[] again = render(640, 480, MannequinPose.RUNNING, 1234);
        byte[] otherSeed = render(640, 480, MannequinPose.RUNNING, 1235);

        assertThat(again).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void everyPoseDrawsADifferentPicture() {
        Set<String> distinct = new HashSet<>();
        for (MannequinPose pose : MannequinPose.values()) {
            distinct.add(Arrays.toString(render(256, 256, pose, 7)));
        }
        assertThat(distinct).hasSize(MannequinPose.values().length);
    }

    @Test
    void drawsAFigureOfTheRequestedSizeOnAPlainBackground() throws IOException {
        BufferedImage image = decode(render(300, 500, MannequinPose.STANDING, 99));

        assertThat(image.getWidth()).isEqualTo(300);
        assertThat(image.getHeight()).isEqualTo(500);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 5) {
            for (int x = 0; x < image.getWidth(); x += 5) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours).as("background, floor and figure are drawn").hasSizeGreaterThan(5);
        int corner = image.getRGB(0, 0);
        int centre = image.getRGB(150, 200);
        assertThat(centre).as("the figure stands in the middle").isNotEqualTo(corner);
    }

    @Test
    void blackedOutImagesAreEntirelyBlack() throws IOException {
        BufferedImage image =
                decode(MannequinRenderer.render(200, 120, MannequinPose.DYNAMIC, 5, true, FluxInput.OutputFormat.PNG));

        assertThat(image.getWidth()).isEqualTo(200);
        assertThat(image.getHeight()).isEqualTo(120);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                assertThat(image.getRGB(x, y) & 0xFFFFFF).isZero();
            }
        }
    }

    @Test
    void encodesJpegWhenAsked() throws IOException {
        byte[] jpeg = MannequinRenderer.render(320, 240, MannequinPose.WALKING, 3, false, FluxInput.OutputFormat.JPEG);

        assertThat(jpeg[0] & 0xFF).isEqualTo(0xFF);
        assertThat(jpeg[1] & 0xFF).isEqualTo(0xD8);
        assertThat(decode(jpeg).getWidth()).isEqualTo(320);
    }

    private static byte[] render(int width, int height, MannequinPose pose, long seed) {
        return MannequinRenderer.render(width, height, pose, seed, false, FluxInput.OutputFormat.PNG);
    }

    private static BufferedImage decode(byte[] bytes) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertThat(image).isNotNull();
        return image;
    }
}
