package com.figureforge.adapters.storage;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Scales an image down to at most {@code maxSize} pixels on its long side (never up), keeping the aspect
 * ratio, and encodes it as PNG (PNG and WebP sources, which may carry alpha) or JPEG (JPEG sources). The
 * output depends only on the input, so a retry produces the same bytes.
 */
final class ThumbnailMaker {

    record Thumbnail(byte[] bytes, ImageFormat format, int width, int height) {}

    private static final float JPEG_QUALITY = 0.85f;

    private final int maxSize;

    ThumbnailMaker(int maxSize) {
        if (maxSize <= 0) {
            throw new IllegalArgumentException("maxSize must be positive");
        }
        this.maxSize = maxSize;
    }

    /** The thumbnail's format for a source format: known before anything is decoded. */
    static ImageFormat formatFor(ImageFormat source) {
        return source == ImageFormat.JPEG ? ImageFormat.JPEG : ImageFormat.PNG;
    }

    /** The thumbnail's {width, height} for a source of the given size. */
    int[] size(int width, int height) {
        int longSide = Math.max(width, height);
        if (longSide <= maxSize) {
            return new int[] {width, height};
        }
        double scale = (double) maxSize / longSide;
        return new int[] {Math.max(1, (int) Math.round(width * scale)), Math.max(1, (int) Math.round(height * scale))};
    }

    /**
     * How many rows of an image of this size a thumbnail needs decoded ({@link ImageInspector#decode(byte[],
     * ImageInspector.Header, int)}): every n-th while at least twice the thumbnail's height remains, so
     * the halving steps below still average neighbours.
     */
    int rowSubsamplingFor(int width, int height) {
        return Math.max(1, height / (2 * size(width, height)[1]));
    }

    /**
     * The thumbnail of an image of {@code width} x {@code height}, from {@code source}: that image or a
     * decode of every n-th row of it. Its size follows the original's, so it does not depend on the
     * subsampling.
     */
    Thumbnail make(BufferedImage source, ImageFormat sourceFormat, int width, int height) {
        ImageFormat format = formatFor(sourceFormat);
        boolean alpha = format == ImageFormat.PNG && source.getColorModel().hasAlpha();
        int type = alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
        int[] target = size(width, height);

        // Halve step by step first, each side while it stays at least the target's (a row-subsampled
        // source is already narrower in one): one big bilinear/bicubic step skips most source pixels.
        BufferedImage current = source;
        int currentWidth = source.getWidth();
        int currentHeight = source.getHeight();
        while (currentWidth / 2 >= target[0] || currentHeight / 2 >= target[1]) {
            currentWidth = currentWidth / 2 >= target[0] ? currentWidth / 2 : currentWidth;
            currentHeight = currentHeight / 2 >= target[1] ? currentHeight / 2 : currentHeight;
            current = draw(current, currentWidth, currentHeight, type, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        }
        current = draw(current, target[0], target[1], type, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        return new Thumbnail(encode(current, format), format, target[0], target[1]);
    }

    private static BufferedImage draw(BufferedImage source, int width, int height, int type, Object interpolation) {
        BufferedImage target = new BufferedImage(width, height, type);
        Graphics2D graphics = target.createGraphics();
        try {
            if (type == BufferedImage.TYPE_INT_RGB) {
                graphics.setColor(Color.WHITE);
                graphics.fillRect(0, 0, width, height);
            }
            graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
            graphics.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            graphics.drawImage(source, 0, 0, width, height, null);
        } finally {
            graphics.dispose();
        }
        return target;
    }

    private static byte[] encode(BufferedImage image, ImageFormat format) {
        ImageWriter writer =
                ImageIO.getImageWritersByFormatName(format.imageIoName()).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream output = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(output);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (format == ImageFormat.JPEG) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(JPEG_QUALITY);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode a " + format + " thumbnail", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
