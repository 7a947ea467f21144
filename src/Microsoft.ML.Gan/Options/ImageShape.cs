namespace Microsoft.ML.Gan;

/// <summary>Channels × height × width of the images a GAN learns and generates.</summary>
/// <param name="Channels">1 (grayscale) or 3 (colour).</param>
/// <param name="Height">Rows of pixels.</param>
/// <param name="Width">Columns of pixels.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Values per image: channels × height × width.</summary>
    public int Size => Channels * Height * Width;

    /// <inheritdoc />
    public override string ToString() => $"{Channels} x {Height} x {Width}";
}
