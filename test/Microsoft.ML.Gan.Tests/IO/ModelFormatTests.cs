using System.Globalization;
using Microsoft.ML.Gan.Artifact;
using Onnx;

namespace Microsoft.ML.Gan.Tests.IO;

/// <summary>
/// Versioned model metadata: zips of the previous and the current layout load and generate what their writer generated;
/// a graph that needs a newer reader is refused with both versions named, one that only adds keys is read.
/// </summary>
public sealed class ModelFormatTests
{
    private static string Fixture(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "IO", "Fixtures", name);

    private static float[][] Pixels(IDataView data) => data.GetColumn<float[]>("GeneratedPixels").ToArray();

    private static byte[] GeneratorGraph(string zip) => TestFiles.ZipEntry(zip, "Gan/generator.onnx");

    /// <summary>The current fixture's graph with its metadata changed by <paramref name="edit"/>.</summary>
    private static byte[] Edited(Action<Dictionary<string, string>> edit)
    {
        ModelProto model = ModelProto.Parser.ParseFrom(GeneratorGraph(Fixture("generator-format2.zip")));
        Dictionary<string, string> properties = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        edit(properties);
        model.MetadataProps.Clear();
        model.MetadataProps.Add(properties.Select(p => new StringStringEntryProto { Key = p.Key, Value = p.Value }));
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }

    [Category(TestCategories.Fast)]
    [TestCase("generator-format1", false)]
    [TestCase("generator-format2", true)]
    public void ZipsOfThePreviousAndTheCurrentLayoutGenerateWhatTheirWriterGenerated(string fixture, bool hasKind)
    {
        string zip = Fixture(fixture + ".zip");
        float[] expected = File.ReadAllText(Fixture(fixture + ".pixels")).Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.That(ModelProto.Parser.ParseFrom(GeneratorGraph(zip)).MetadataProps.Any(p => p.Key == "gan.kind"), Is.EqualTo(hasKind), "the fixture's layout");
        var ml = new MLContext(1);

        using GanTransformer loaded = ml.Gan().LoadGenerator(zip);

        Assert.That((loaded.LatentDimension, loaded.ClassCount, loaded.LabelColumnName), Is.EqualTo((8, 4, "Label")));
        Assert.That(Pixels(loaded.Generate(4, seed: 5)).SelectMany(p => p), Is.EqualTo(expected));
        IDataView latent = ml.Gan().Data.SampleLatent(loaded, 6, seed: 2);
        Assert.That(Pixels(ml.LoadModel(zip, out _).Transform(latent)), Is.EqualTo(Pixels(loaded.Transform(latent))), "stock ML.NET reads it too");
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void AGraphThatNeedsANewerReaderIsRefusedNamingBothVersions()
    {
        int newer = GeneratorMetadata.ReaderVersion + 1;
        byte[] graph = Edited(p =>
        {
            p["gan.format_version"] = newer.ToString(CultureInfo.InvariantCulture);
            p["gan.minimum_reader_version"] = newer.ToString(CultureInfo.InvariantCulture);
            p["gan.library_version"] = "9.0.0";
        });

        var error = Assert.Throws<InvalidDataException>(() => GeneratorModel.Read(graph, "Model 'future.zip'"));

        Assert.That(error!.Message, Does.Contain("Model 'future.zip'").And.Contain($"format version {newer}").And.Contain("Microsoft.ML.Gan 9.0.0")
            .And.Contain($"needs a reader of version {newer}").And.Contain($"reads up to version {GeneratorMetadata.ReaderVersion}"));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void ANewerGraphThatOnlyAddsKeysIsRead()
    {
        byte[] graph = Edited(p =>
        {
            p["gan.format_version"] = (GeneratorMetadata.FormatVersion + 1).ToString(CultureInfo.InvariantCulture);
            p["gan.something_new"] = "42";
        });

        GeneratorModel model = GeneratorModel.Read(graph, "Model 'newer.zip'");

        Assert.That((model.Metadata.LatentDimension, model.Metadata.ClassCount), Is.EqualTo((8, 4)));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void AGraphOfAnotherKindIsNamedForWhatItIs()
    {
        byte[] graph = Edited(p => p["gan.kind"] = "semi-supervised-classifier");

        var error = Assert.Throws<InvalidDataException>(() => GeneratorModel.Read(graph, "Model 'classifier.zip'"));

        Assert.That(error!.Message, Is.EqualTo("Model 'classifier.zip' holds a semi-supervised-classifier, not a generator."));
    }

    [Category(TestCategories.Fast)]
    [Test]
    public void AnImageGeneratorReadsGraphsOfImagesAndRefusesAnotherDataKindByName()
    {
        byte[] images = Edited(p => p["gan.data.kind"] = "images");
        byte[] table = Edited(p => p["gan.data.kind"] = "table");
        byte[] unmarked = Edited(p => p.Remove("gan.data.kind"));

        var error = Assert.Throws<InvalidDataException>(() => GeneratorModel.Read(table, "Model 'table.zip'"));

        Assert.That(error!.Message, Does.Contain("Model 'table.zip' holds a generator of table rows, not of images"));
        Assert.That(GeneratorModel.Read(unmarked, "Model 'v2.zip'").Metadata.LatentDimension, Is.EqualTo(8), "a graph without the key (format 2) is of images");
        Assert.That(GeneratorModel.Read(images, "Model 'v3.zip'").Metadata.LatentDimension, Is.EqualTo(8));
    }
}
