using Microsoft.ML;
using Microsoft.ML.Data;

namespace Gan.Samples.Augmentation;

/// <summary>Labelled 28 × 28 digits held in memory (pixels in [0, 1], classes 0–9), and their MNIST-schema data view.</summary>
internal sealed class LabelledDigits
{
    public const int Side = 28;
    public const int Classes = 10;

    public LabelledDigits(float[][] pixels, int[] labels)
    {
        if (pixels.Length != labels.Length)
        {
            throw new ArgumentException($"{pixels.Length} images but {labels.Length} labels.", nameof(labels));
        }

        Pixels = pixels;
        Labels = labels;
    }

    public float[][] Pixels { get; }

    public int[] Labels { get; }

    public int Count => Labels.Length;

    /// <summary>The rows of a view with a key-typed <c>Label</c> (key k is class k − 1) and a 784-value <c>Pixels</c> column.</summary>
    public static LabelledDigits Read(IDataView data)
    {
        float[][] pixels = data.GetColumn<float[]>("Pixels").ToArray();
        int[] labels = data.GetColumn<uint>("Label").Select(k => (int)k - 1).ToArray();
        return new LabelledDigits(pixels, labels);
    }

    public LabelledDigits Select(IEnumerable<int> rows)
    {
        int[] chosen = rows.ToArray();
        return new LabelledDigits(chosen.Select(i => Pixels[i]).ToArray(), chosen.Select(i => Labels[i]).ToArray());
    }

    public LabelledDigits Take(int count) => Select(Enumerable.Range(0, Math.Min(count, Count)));

    /// <summary>The MNIST schema: <c>Label</c> Key&lt;UInt32, 0-9&gt; and <c>Pixels</c> Vector&lt;Single, 28, 28&gt;.</summary>
    public IDataView ToDataView(MLContext ml)
        // LoadFromEnumerable takes key-typed values zero-based: class c becomes key c + 1.
        => ml.Data.LoadFromEnumerable(Enumerable.Range(0, Count).Select(i => new Row { Label = (uint)Labels[i], Pixels = Pixels[i] }));

    private sealed class Row
    {
        [KeyType(Classes)]
        public uint Label { get; set; }

        [VectorType(Side, Side)]
        public float[] Pixels { get; set; } = [];
    }
}
