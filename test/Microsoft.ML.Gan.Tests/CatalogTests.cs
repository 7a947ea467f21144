namespace Microsoft.ML.Gan.Tests;

/// <summary>
/// The catalog reads like ML.NET's: noun factories with a simple and an options overload, the data helpers under
/// <c>mlContext.Gan().Data</c>, and the members they replace still working for one release.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class CatalogTests
{
    [Test]
    public void TheSimpleGeneratorOverloadTrainsTheArticlesGanOnTheNamedColumnsForTheGivenEpochs()
    {
        var ml = new MLContext(1);

        using GanTransformer conditional = ml.Gan().Generator("Pixels", labelColumnName: "Label", epochs: 2).Fit(SyntheticImages.LoadLabelled(ml, 32));
        using GanTransformer unconditional = ml.Gan().Generator(epochs: 1).Fit(SyntheticImages.Load(ml, 32));

        Assert.That((conditional.IsConditional, conditional.LabelColumnName, conditional.History.Epochs.Count), Is.EqualTo((true, "Label", 2)));
        Assert.That((unconditional.IsConditional, unconditional.History.Epochs.Count), Is.EqualTo((false, 1)));
        Assert.That(unconditional.LatentDimension, Is.EqualTo(new GanOptions().LatentDimension), "the rest is GanOptions' defaults, the source article's GAN");
    }

    [Test]
    public void TheOptionsOverloadRefusesNull()
        => Assert.That(() => new MLContext(1).Gan().Generator((GanOptions)null!), Throws.ArgumentNullException);

#pragma warning disable CS0618 // the members of the earlier catalog, kept for one release
    [Test]
    public void TheEarlierMembersGiveWhatTheirNewHomesGive()
    {
        var ml = new MLContext(1);
        GanCatalog catalog = ml.Gan();

        Assert.That(catalog.SampleLatent(5, seed: 3).GetColumn<float[]>("Latent"), Is.EqualTo(catalog.Data.SampleLatent(5, seed: 3).GetColumn<float[]>("Latent")));
        IDataView labelled = SyntheticImages.LoadLabelled(ml, 40);
        Assert.That(catalog.KeepLabels(labelled, 2, seed: 1).GetColumn<uint>("Label"), Is.EqualTo(catalog.Data.KeepLabels(labelled, 2, seed: 1).GetColumn<uint>("Label")));
        Assert.That(catalog.AppendRows(labelled, labelled).GetColumn<uint>("Label").Count(), Is.EqualTo(80));
        Assert.That(catalog.Train(SyntheticImages.FastOptions()), Is.InstanceOf<GanEstimator>());
    }
#pragma warning restore CS0618
}
