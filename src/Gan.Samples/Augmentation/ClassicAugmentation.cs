namespace Gan.Samples.Augmentation;

/// <summary>
/// The classic baseline: new rows made from real ones by a small random rotation (±15°) and shift (±2 pixels in
/// each direction), sampled bilinearly with black outside the image — what augmentation meant before GANs.
/// </summary>
internal static class ClassicAugmentation
{
    public const double MaxDegrees = 15;
    public const double MaxShift = 2;

    /// <summary><paramref name="count"/> rows; row i transforms real row i mod n, so every real row is used equally.</summary>
    public static LabelledDigits Make(LabelledDigits real, int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[count][];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int source = i % real.Count;
            double angle = (random.NextDouble() * 2 - 1) * MaxDegrees * Math.PI / 180;
            double dx = (random.NextDouble() * 2 - 1) * MaxShift, dy = (random.NextDouble() * 2 - 1) * MaxShift;
            pixels[i] = Warp(real.Pixels[source], angle, dx, dy);
            labels[i] = real.Labels[source];
        }

        return new LabelledDigits(pixels, labels);
    }

    /// <summary>Rotates by <paramref name="angle"/> about the centre, then shifts: each output pixel samples the inverse-mapped source point.</summary>
    internal static float[] Warp(float[] image, double angle, double dx, double dy)
    {
        const int side = LabelledDigits.Side;
        const double centre = (side - 1) / 2.0;
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        var output = new float[side * side];
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                double u = x - dx - centre, v = y - dy - centre;
                double sx = (cos * u) + (sin * v) + centre, sy = (-sin * u) + (cos * v) + centre;
                output[(y * side) + x] = Bilinear(image, sx, sy);
            }
        }

        return output;
    }

    private static float Bilinear(float[] image, double x, double y)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0;
        double At(int px, int py) => px is >= 0 and < LabelledDigits.Side && py is >= 0 and < LabelledDigits.Side ? image[(py * LabelledDigits.Side) + px] : 0;
        double top = (At(x0, y0) * (1 - fx)) + (At(x0 + 1, y0) * fx);
        double bottom = (At(x0, y0 + 1) * (1 - fx)) + (At(x0 + 1, y0 + 1) * fx);
        return (float)((top * (1 - fy)) + (bottom * fy));
    }
}
