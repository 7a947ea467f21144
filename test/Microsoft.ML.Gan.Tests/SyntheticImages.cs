using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Tests;

/// <summary>Small in-memory image sets: an 8 × 8 bright square at a row-dependent place on black.</summary>
internal static class SyntheticImages
{
    public const int Side = 8;

    public sealed class Row
    {
        [VectorType(Side, Side)]
        public float[] Pixels { get; set; } = [];
    }

    public sealed class LabelledRow
    {
        [KeyType(4)]
        public uint Label { get; set; }

        [VectorType(Side, Side)]
        public float[] Pixels { get; set; } = [];
    }

    public sealed class IntegerLabelledRow
    {
        public int Label { get; set; }

        [VectorType(Side, Side)]
        public float[] Pixels { get; set; } = [];
    }

    public sealed class ByteRow
    {
        [VectorType(Side * Side)]
        public byte[] Pixels { get; set; } = [];
    }

    public static float[] Square(int index)
    {
        var pixels = new float[Side * Side];
        int top = index % 5, left = (index / 5) % 5;
        for (int y = top; y < top + 3; y++)
        {
            for (int x = left; x < left + 3; x++)
            {
                pixels[(y * Side) + x] = 1f;
            }
        }

        return pixels;
    }

    public static IDataView Load(MLContext ml, int count = 128)
        => ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new Row { Pixels = Square(i) }));

    public static IDataView LoadWith(MLContext ml, Func<int, float[]> pixels, int count = 16)
        => ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new Row { Pixels = pixels(i) }));

    /// <summary>Squares whose class (0..3) sets their place: key-typed labels (LoadFromEnumerable takes zero-based key values).</summary>
    public static IDataView LoadLabelled(MLContext ml, int count = 128)
        => ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new LabelledRow { Label = (uint)(i % 4), Pixels = Square(i % 4) }));

    /// <summary>The same squares with plain integer labels 0..3.</summary>
    public static IDataView LoadIntegerLabelled(MLContext ml, int count = 128)
        => ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new IntegerLabelledRow { Label = i % 4, Pixels = Square(i % 4) }));

    /// <summary>Options that train in well under a second on <see cref="Load"/>: a small <paramref name="architecture"/>.</summary>
    /// <summary>A generator of <see cref="FastOptions"/> trained on 32 rows, saved at <paramref name="path"/>: a model zip for the CLI to read.</summary>
    public static string SavedGenerator(string path)
    {
        var ml = new MLContext(1);
        using GanTransformer gan = ml.Gan().Generator(FastOptions()).Fit(Load(ml, 32));
        gan.Save(path);
        return path;
    }

    public static GanOptions FastOptions(int seed = 1, GanArchitecture architecture = GanArchitecture.Mlp)
    {
        var options = new GanOptions { LatentDimension = 8, BatchSize = 32, Budget = TrainingBudget.OfEpochs(2), Seed = seed, SampleCount = 4 };
        if (architecture == GanArchitecture.Dcgan)
        {
            options.Network = new DcganNetworkOptions { Width = 4 };
        }
        else
        {
            options.Network = new MlpNetworkOptions { HiddenSize = 8 };
        }

        return options;
    }
}
