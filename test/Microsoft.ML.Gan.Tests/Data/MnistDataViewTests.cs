using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Tests.Data;

[Category(TestCategories.Slow)]
public sealed class MnistDataViewTests
{
    [Test]
    public void SchemaHasKeyLabelAndImageShapedPixels()
    {
        IDataView train = RealMnist.Load(new MLContext(), MnistSplit.Train);

        DataViewSchema.Column label = train.Schema["Label"];
        Assert.That(label.Type, Is.TypeOf<KeyDataViewType>());
        Assert.That(((KeyDataViewType)label.Type).Count, Is.EqualTo(10));
        Assert.That(label.Type.RawType, Is.EqualTo(typeof(uint)));
        var pixels = (VectorDataViewType)train.Schema["Pixels"].Type;
        Assert.That(pixels.ItemType, Is.EqualTo(NumberDataViewType.Single));
        Assert.That(pixels.Dimensions, Is.EqualTo(new[] { 28, 28 }));

        VBuffer<ReadOnlyMemory<char>> names = default;
        label.GetKeyValues(ref names);
        Assert.That(names.DenseValues().Select(n => n.ToString()), Is.EqualTo(Enumerable.Range(0, 10).Select(d => d.ToString())));
    }

    [Test]
    public void SplitsHaveTheirFullRowCounts()
    {
        var ml = new MLContext();
        Assert.That(RealMnist.Load(ml, MnistSplit.Train).GetRowCount(), Is.EqualTo(60_000));
        Assert.That(RealMnist.Load(ml, MnistSplit.Test).GetRowCount(), Is.EqualTo(10_000));
    }

    [Test]
    public void FirstTrainingLabelIsFiveAndCountsMatchTheCursor()
    {
        IDataView train = RealMnist.Load(new MLContext(), MnistSplit.Train, maxRows: 100);
        var labels = new List<uint>();
        float min = float.MaxValue, max = float.MinValue;
        using (DataViewRowCursor cursor = train.GetRowCursor(train.Schema))
        {
            ValueGetter<uint> label = cursor.GetGetter<uint>(train.Schema["Label"]);
            ValueGetter<VBuffer<float>> pixels = cursor.GetGetter<VBuffer<float>>(train.Schema["Pixels"]);
            uint key = 0;
            VBuffer<float> values = default;
            while (cursor.MoveNext())
            {
                label(ref key);
                pixels(ref values);
                labels.Add(key - 1);
                min = Math.Min(min, values.GetValues().ToArray().Min());
                max = Math.Max(max, values.GetValues().ToArray().Max());
            }
        }

        Assert.That(labels, Has.Count.EqualTo(100));
        Assert.That(labels.Take(5), Is.EqualTo(new uint[] { 5, 0, 4, 1, 9 }), "the well-known first MNIST training labels");
        Assert.That(min, Is.EqualTo(0f));
        Assert.That(max, Is.EqualTo(1f));
    }

    [Test]
    public void LabelColumnAloneDoesNotReadImages()
    {
        IDataView test = RealMnist.Load(new MLContext(), MnistSplit.Test);
        using DataViewRowCursor cursor = test.GetRowCursor([test.Schema["Label"]]);
        Assert.That(cursor.IsColumnActive(test.Schema["Pixels"]), Is.False);
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(test.Schema["Pixels"]));
        int rows = 0;
        while (cursor.MoveNext())
        {
            rows++;
        }

        Assert.That(rows, Is.EqualTo(10_000));
    }

    [Test]
    public void MaxRowsAboveTheSplitIsRejectedWithTheOptionName()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => RealMnist.Load(new MLContext(), MnistSplit.Test, maxRows: 10_001));
        Assert.That(error!.Message, Does.Contain("MnistOptions.MaxRows").And.Contain("10000").And.Contain("Test"));
    }

    [Test]
    public void WorksWithMlNetTransforms()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = RealMnist.Load(ml, MnistSplit.Test, maxRows: 50);
        IDataView mapped = ml.Transforms.Conversion.MapKeyToValue("Digit", "Label").Fit(data).Transform(data);
        uint[] digits = mapped.GetColumn<uint>("Label").Select(k => k - 1).ToArray();
        string[] names = mapped.GetColumn<ReadOnlyMemory<char>>("Digit").Select(d => d.ToString()).ToArray();
        Assert.That(names, Is.EqualTo(digits.Select(d => d.ToString())));
        Assert.That(digits.Take(3), Is.EqualTo(new uint[] { 7, 2, 1 }), "the first MNIST test labels");
    }
}
