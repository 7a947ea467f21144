namespace Microsoft.ML.Gan.Tests;

[Explicit]
public sealed class DiagTemp
{
    private sealed class Row
    {
        public float[] Latent { get; set; } = [];
        [KeyType(10)] public uint Label { get; set; }
    }

    [Test]
    public void Variants()
    {
        var ml = new MLContext(1);
        string zip = Environment.GetEnvironmentVariable("DIAG_ZIP")!;
        ITransformer model = ml.Model.Load(zip, out DataViewSchema input);
        IDataView test = RealMnist.Load(ml, MnistSplit.Test);
        double Cas(IDataView rows, int n)
        {
            IDataView taken = ml.Data.Cache(ml.Data.TakeRows(rows, n));
            using LeNetClassifier c = ml.Gan().TrainClassifier(taken, new LeNetClassifierOptions { PixelsColumnName = "GeneratedPixels", Channels = 32 });
            return c.Accuracy(test);
        }

        IDataView Scaled(float scale, int n, int seed)
        {
            var latents = ml.Gan().SampleLatent(input, n, seed);
            float[][] z = latents.GetColumn<float[]>("Latent").Select(v => v.Select(x => x * scale).ToArray()).ToArray();
            uint[] labels = latents.GetColumn<uint>("Label").ToArray();
            var schemaDef = Microsoft.ML.Data.SchemaDefinition.Create(typeof(Row));
            schemaDef["Latent"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, z[0].Length);
            IDataView data = ml.Data.LoadFromEnumerable(z.Select((v, i) => new Row { Latent = v, Label = labels[i] - 1 }), schemaDef);
            return ml.Data.Cache(model.Transform(data));
        }

        TestContext.Out.WriteLine($"base 10k: {Cas(Scaled(1f, 10000, 1), 10000):P2}");
        TestContext.Out.WriteLine($"base 20k: {Cas(Scaled(1f, 20000, 1), 20000):P2}");
        TestContext.Out.WriteLine($"scale 1.5 10k: {Cas(Scaled(1.5f, 10000, 1), 10000):P2}");
        TestContext.Out.WriteLine($"scale 2.0 10k: {Cas(Scaled(2f, 10000, 1), 10000):P2}");
        // filtered by the shipped network
        IDataView big = Scaled(1f, 16000, 2);
        float[][] px = big.GetColumn<float[]>("GeneratedPixels").ToArray();
        uint[] lab = big.GetColumn<uint>("Label").ToArray();
        float[] probs = Microsoft.ML.Gan.MnistFeatureNetwork.Probabilities(px.SelectMany(p => p).ToArray(), px.Length);
        var keep = Enumerable.Range(0, px.Length).Where(i => probs[i * 10 + (int)lab[i] - 1] >= 0.9f).Take(10000).ToArray();
        TestContext.Out.WriteLine($"kept {keep.Length} of {px.Length}");
        var rows = keep.Select(i => new FilteredRow { Label = lab[i] - 1, GeneratedPixels = px[i] });
        TestContext.Out.WriteLine($"filtered 10k: {Cas(ml.Data.LoadFromEnumerable(rows), 10000):P2}");
    }

    private sealed class FilteredRow
    {
        [KeyType(10)] public uint Label { get; set; }
        [VectorType(28, 28)] public float[] GeneratedPixels { get; set; } = [];
    }
}
