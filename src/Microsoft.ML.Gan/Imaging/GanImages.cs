using Microsoft.ML.Data;
using Microsoft.ML.Gan.IO;

namespace Microsoft.ML.Gan;

/// <summary>
/// Grayscale pixels to <see cref="MLImage"/> and PNG files. <see cref="MLImage.CreateFromPixels"/>
/// accepts only 4-byte formats, so each gray value is written to B, G and R with alpha 255 (opaque).
/// </summary>
public static class GanImages
{
    /// <summary>An opaque grayscale image (white digit on black) from row-major values in [0, 1].</summary>
    /// <exception cref="ArgumentException">The span does not hold height × width values, or a value is NaN.</exception>
    public static MLImage FromGrayscale(ReadOnlySpan<float> pixels, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (pixels.Length != height * width)
        {
            throw new ArgumentException($"Expected {height} x {width} = {height * width} pixel values; got {pixels.Length}.", nameof(pixels));
        }

        var bgra = new byte[pixels.Length * 4];
        for (int i = 0; i < pixels.Length; i++)
        {
            byte gray = ToByte(pixels[i]);
            bgra[(4 * i) + 0] = gray;
            bgra[(4 * i) + 1] = gray;
            bgra[(4 * i) + 2] = gray;
            bgra[(4 * i) + 3] = 255;
        }

        return MLImage.CreateFromPixels(width, height, MLPixelFormat.Bgra32, bgra);
    }

    /// <summary>
    /// Tiles equally sized grayscale images (each height × width values in [0, 1]) into one image,
    /// <paramref name="columns"/> per row, separated by <paramref name="padding"/> black pixels, then enlarges
    /// the whole grid <paramref name="scale"/> times: every pixel becomes a scale × scale block (nearest
    /// neighbour, no smoothing, so the pixels stay what the generator made; 28-pixel digits are small on screen).
    /// </summary>
    /// <param name="images">The images, row-major.</param>
    /// <param name="height">Height of each image in pixels.</param>
    /// <param name="width">Width of each image in pixels.</param>
    /// <param name="columns">Images per grid row.</param>
    /// <param name="padding">Black pixels between and around the images, before scaling. Default: 2.</param>
    /// <param name="scale">Integer enlargement of the finished grid. Default: 1 (one pixel per pixel).</param>
    public static MLImage Grid(IReadOnlyList<float[]> images, int height, int width, int columns, int padding = 2, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(images.Count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        columns = Math.Min(columns, images.Count);
        int rows = (images.Count + columns - 1) / columns;
        int gridWidth = (columns * width) + ((columns + 1) * padding);
        int gridHeight = (rows * height) + ((rows + 1) * padding);
        var grid = new float[gridHeight * gridWidth];
        for (int n = 0; n < images.Count; n++)
        {
            float[] image = images[n];
            if (image.Length != height * width)
            {
                throw new ArgumentException($"Image {n} has {image.Length} values; expected {height} x {width}.", nameof(images));
            }

            int top = padding + ((n / columns) * (height + padding));
            int left = padding + ((n % columns) * (width + padding));
            for (int y = 0; y < height; y++)
            {
                image.AsSpan(y * width, width).CopyTo(grid.AsSpan(((top + y) * gridWidth) + left, width));
            }
        }

        return scale == 1 ? FromGrayscale(grid, gridHeight, gridWidth) : FromGrayscale(Enlarge(grid, gridHeight, gridWidth, scale), gridHeight * scale, gridWidth * scale);
    }

    private static float[] Enlarge(float[] pixels, int height, int width, int scale)
    {
        int enlargedWidth = width * scale;
        var enlarged = new float[pixels.Length * scale * scale];
        for (int y = 0; y < height; y++)
        {
            Span<float> row = enlarged.AsSpan(y * scale * enlargedWidth, enlargedWidth);
            for (int x = 0; x < width; x++)
            {
                row.Slice(x * scale, scale).Fill(pixels[(y * width) + x]);
            }

            for (int copy = 1; copy < scale; copy++)
            {
                row.CopyTo(enlarged.AsSpan(((y * scale) + copy) * enlargedWidth, enlargedWidth));
            }
        }

        return enlarged;
    }

    /// <summary>
    /// Saves an image as PNG, writing a temporary file in the same directory and renaming it into
    /// place, so a failure never leaves a partial file at <paramref name="path"/>.
    /// </summary>
    /// <exception cref="IOException">The directory does not exist or is not writable.</exception>
    public static void SavePng(MLImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        AtomicFile.Write(path, temporary => image.Save(temporary), ".png");
    }

    internal static byte ToByte(float value)
    {
        if (float.IsNaN(value))
        {
            throw new ArgumentException("Pixel value is NaN; expected a value in [0, 1].", nameof(value));
        }

        return (byte)MathF.Round(Math.Clamp(value, 0f, 1f) * 255f);
    }
}
