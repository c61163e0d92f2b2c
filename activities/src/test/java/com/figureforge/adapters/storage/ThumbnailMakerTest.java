package com.figureforge.adapters.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ThumbnailMakerTest {

    private final ThumbnailMaker thumbnails = new ThumbnailMaker(256);
    private final ImageInspector inspector = new ImageInspector(
            ImageStoreSettings.DEFAULT_MAX_BYTES,
            ImageStoreSettings.DEFAULT_MAX_DIMENSION,
            ImageStoreSettings.DEFAULT_MAX_PIXELS);

    @Test
    void rowsAreSkippedWhileTwiceTheThumbnailsHeightRemains() {
        assertThat(thumbnails.rowSubsamplingFor(768, 1024)).isEqualTo(2); // 192 x 256
        assertThat(thumbnails.rowSubsamplingFor(1024, 768)).isEqualTo(2); // 256 x 192
        assertThat(thumbnails.rowSubsamplingFor(2050, 1537)).isEqualTo(4); // 256 x 192
        assertThat(thumbnails.rowSubsamplingFor(300, 8000)).isEqualTo(15); // 10 x 256
        assertThat(thumbnails.rowSubsamplingFor(200, 100)).isEqualTo(1); // kept as it is
        assertThat(thumbnails.rowSubsamplingFor(4000, 40)).isEqualTo(6); // 256 x 3
    }

    @Test
    void aThumbnailFromEveryNthRowMatchesOneFromTheWholeImage() throws IOException {
        byte[] png = S3TestSupport.image("png", 768, 1024, false);
        ImageInspector.Header header = inspector.inspect(png);
        int n = thumbnails.rowSubsamplingFor(768, 1024);

        BufferedImage rows = inspector.decode(png, header, n);
        assertThat(new int[] {rows.getWidth(), rows.getHeight()}).containsExactly(768, 512);

        BufferedImage fromRows = read(thumbnails.make(rows, ImageFormat.PNG, 768, 1024));
        BufferedImage fromWhole = read(thumbnails.make(inspector.decode(png, header, 1), ImageFormat.PNG, 768, 1024));
        assertThat(new int[] {fromRows.getWidth(), fromRows.getHeight()}).containsExactly(192, 256);
        assertThat(new int[] {fromWhole.getWidth(), fromWhole.getHeight()}).containsExactly(192, 256);
        long difference = 0;
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 192; x++) {
                difference += channelDifference(fromRows.getRGB(x, y), fromWhole.getRGB(x, y));
            }
        }
        // on average within a few levels of 255 per channel (edges of the dark square differ most)
        assertThat(difference / (192.0 * 256 * 3)).isLessThan(3.0);
    }

    private static BufferedImage read(ThumbnailMaker.Thumbnail thumbnail) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(thumbnail.bytes()));
    }

    private static int channelDifference(int a, int b) {
        int sum = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            sum += Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff));
        }
        return sum;
    }
}
