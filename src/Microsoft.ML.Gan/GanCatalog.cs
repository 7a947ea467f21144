using Microsoft.ML.Gan.Data;

namespace Microsoft.ML.Gan;

/// <summary>Generative adversarial networks for ML.NET, reached through <c>mlContext.Gan()</c>.</summary>
public sealed class GanCatalog
{
    internal GanCatalog(MLContext context) => Context = context;

    /// <summary>The context this catalog belongs to.</summary>
    public MLContext Context { get; }

    /// <summary>
    /// MNIST as a lazy <see cref="IDataView"/> read through a cursor over the original IDX files:
    /// <c>Label</c> (key type over the digits 0–9; key 1 is digit 0) and <c>Pixels</c>
    /// (<c>Vector&lt;Single, 28, 28&gt;</c>, values in [0, 1]). 60,000 rows for
    /// <see cref="MnistSplit.Train"/>, 10,000 for <see cref="MnistSplit.Test"/>.
    /// </summary>
    /// <param name="split">Which split to read.</param>
    /// <param name="options">Where to find the files and how many rows to take; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MnistOptions.MaxRows"/> is negative or above the split size.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid MNIST IDX file.</exception>
    public IDataView LoadMnist(MnistSplit split, MnistOptions? options = null)
    {
        options ??= new MnistOptions();
        string directory = new MnistLocator().Locate(split, options);
        (MnistFile imagesFile, MnistFile labelsFile) = MnistFiles.For(split);
        IdxFile images = IdxFile.OpenImages(Path.Combine(directory, imagesFile.Name), MnistFiles.ImageSize, MnistFiles.ImageSize);
        byte[] labels = IdxFile.ReadLabels(Path.Combine(directory, labelsFile.Name), MnistFiles.ClassCount);
        int rows = RowCount(options.MaxRows, images.Count, $"{nameof(MnistOptions)}.{nameof(MnistOptions.MaxRows)}", split.ToString());
        return new IdxDataView(images, labels, MnistFiles.ClassCount, rows, "Pixels", "Label");
    }

    /// <summary>
    /// Any IDX image file (and optional label file) as an <see cref="IDataView"/> with the same columns
    /// as <see cref="LoadMnist"/>; e.g. Fashion-MNIST, or images written by the samples app.
    /// </summary>
    /// <param name="imagesPath">An IDX file of unsigned-byte images (magic 0x00000803).</param>
    /// <param name="labelsPath">An IDX file of unsigned-byte labels (magic 0x00000801) with one label per image; optional.</param>
    /// <param name="classCount">Number of classes; labels must lie in 0..classCount-1.</param>
    /// <param name="maxRows">Read only the first rows; all when null.</param>
    public IDataView LoadIdx(string imagesPath, string? labelsPath = null, int classCount = 10, int? maxRows = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        IdxFile images = IdxFile.OpenImages(imagesPath);
        byte[]? labels = labelsPath is null ? null : IdxFile.ReadLabels(labelsPath, classCount);
        int rows = RowCount(maxRows, images.Count, nameof(maxRows), $"'{imagesPath}'");
        return new IdxDataView(images, labels, classCount, rows, "Pixels", "Label");
    }

    private static int RowCount(int? requested, int available, string option, string source)
    {
        if (requested is not int rows)
        {
            return available;
        }

        if (rows < 0 || rows > available)
        {
            throw new ArgumentOutOfRangeException(option, rows, $"{option} must be between 0 and {available}, the number of rows in {source}.");
        }

        return rows;
    }
}
