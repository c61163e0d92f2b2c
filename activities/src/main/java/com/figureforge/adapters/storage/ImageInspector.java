package com.figureforge.adapters.storage;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decides whether bytes are an image we store: a PNG, a JPEG, or a WebP when an ImageIO reader for it is
 * installed; with a width and height read from the bytes themselves, both positive and within the limits.
 * Dimensions are checked from the header before anything is decoded.
 */
final class ImageInspector {

    /** What the header says. */
    record Header(ImageFormat format, int width, int height) {}

    private final long maxBytes;
    private final int maxDimension;
    private final long maxPixels;

    ImageInspector(long maxBytes, int maxDimension, long maxPixels) {
        this.maxBytes = maxBytes;
        this.maxDimension = maxDimension;
        this.maxPixels = maxPixels;
    }

    ImageInspector(ImageStoreSettings settings) {
        this(settings.maxBytes(), settings.maxDimension(), settings.maxPixels());
    }

    /** Type and dimensions from the header; throws {@link ImageRejectedException} for anything unacceptable. */
    Header inspect(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new ImageRejectedException("the image is empty");
        }
        if (bytes.length > maxBytes) {
            throw new ImageRejectedException(
                    "the image has " + bytes.length + " bytes, more than the limit of " + maxBytes);
        }
        ImageFormat format = ImageFormat.sniff(bytes)
                .orElseThrow(() -> new ImageRejectedException("the bytes are not a PNG, JPEG or WebP image"));
        ImageReader reader = reader(format);
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(input, true, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            checkDimensions(width, height);
            return new Header(format, width, height);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageRejectedException rejected) {
                throw rejected;
            }
            throw new ImageRejectedException("the " + format + " image header cannot be read: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Decodes the image (after {@link #inspect}), keeping every {@code rowSubsampling}-th row whole: what
     * a thumbnail needs, at 1/n of the memory. Only rows are skipped: ImageIO's PNG reader copies whole
     * rows on its fast path, and skipping columns too would put it on a per-pixel path that costs about
     * two and a half times the CPU (measured under C1). The decoder still reads every row of the stream, so a
     * truncated or corrupt image is rejected as with a full decode.
     */
    BufferedImage decode(byte[] bytes, Header header, int rowSubsampling) {
        if (rowSubsampling < 1) {
            throw new IllegalArgumentException("rowSubsampling must be positive: " + rowSubsampling);
        }
        int expectedWidth = header.width();
        int expectedHeight = (header.height() + rowSubsampling - 1) / rowSubsampling;
        ImageReader reader = reader(header.format());
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(input, true, true);
            // The JPEG reader decodes a cut-off scan as grey rows and only warns ("Premature end of JPEG
            // file"): for a JPEG, a warning is a rejection. The PNG reader throws for a truncated stream.
            List<String> warnings = new ArrayList<>();
            if (header.format() == ImageFormat.JPEG) {
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            }
            ImageReadParam param = reader.getDefaultReadParam();
            param.setSourceSubsampling(1, rowSubsampling, 0, 0);
            BufferedImage image = reader.read(0, param);
            if (!warnings.isEmpty()) {
                throw new ImageRejectedException(
                        "the " + header.format() + " image is damaged: " + warnings.getFirst());
            }
            if (image == null || image.getWidth() != expectedWidth || image.getHeight() != expectedHeight) {
                throw new ImageRejectedException("the " + header.format() + " image decodes to other dimensions");
            }
            return image;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageRejectedException rejected) {
                throw rejected;
            }
            throw new ImageRejectedException(
                    "the " + header.format() + " image cannot be decoded: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    private void checkDimensions(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new ImageRejectedException("the image has no pixels (" + width + "x" + height + ")");
        }
        if (width > maxDimension || height > maxDimension) {
            throw new ImageRejectedException(
                    "the image is " + width + "x" + height + ", larger than " + maxDimension + " on a side");
        }
        if ((long) width * height > maxPixels) {
            throw new ImageRejectedException(
                    "the image is " + width + "x" + height + ", more than " + maxPixels + " pixels");
        }
    }

    private static ImageReader reader(ImageFormat format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
        if (!readers.hasNext()) {
            throw new ImageRejectedException(format + " images are not supported (no decoder installed)");
        }
        return readers.next();
    }
}
