using System.Text;

namespace Gan.Samples.Commands;

/// <summary>Terminal rendering of a grayscale image, two characters per pixel so digits keep their shape.</summary>
internal static class Ascii
{
    private const string Ramp = " .:-=+*#%@";

    public static string Render(ReadOnlySpan<float> pixels, int height, int width)
    {
        var text = new StringBuilder((height * ((2 * width) + 1)) + 1);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float value = Math.Clamp(pixels[(y * width) + x], 0f, 1f);
                char c = Ramp[(int)MathF.Round(value * (Ramp.Length - 1))];
                text.Append(c).Append(c);
            }

            text.AppendLine();
        }

        return text.ToString();
    }
}
