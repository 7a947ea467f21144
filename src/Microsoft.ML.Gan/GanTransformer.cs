using Microsoft.ML.Data;
using Microsoft.ML.Gan.Artifact;
using Microsoft.ML.Gan.Evaluation;
using Microsoft.ML.Gan.Generation;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.Gan;

/// <summary>
/// A trained GAN generator as an ML.NET transformer: a latent-vector column (and, for a conditional GAN,
/// the label column) in; a pixels column (values in [0, 1], shaped like the training images) and an opaque
/// <see cref="MLImage"/> column out.
/// </summary>
/// <remarks>
/// <para>
/// <b>One engine before and after saving.</b> The generator is exported to ONNX once, when training ends (the
/// TorchSharp networks are dropped then), and every path scores that graph. <see cref="Transform"/> runs it in
/// batches (<see cref="BatchSize"/> rows per ONNX Runtime call) over a view that passes every input column through and
/// appends the pixels, and the image only when that column is read. <c>mlContext.Model.Save</c> stores the stock
/// ML.NET chain that runs the same graph one row per call: [<c>MapKeyToVector</c> or <c>ConvertType</c> of the label]
/// → <c>OnnxTransformer</c> (→ pixels and 3 × H × W image planes) → <c>ConvertToImage</c> → <c>DropColumns</c>.
/// ML.NET's own persistence is closed to third-party transformers, so this type forwards
/// <see cref="ICanSaveModel.Save"/> to that chain, and <c>mlContext.Model.Load</c> returns it as a
/// <c>TransformerChain</c> that needs only Microsoft.ML, Microsoft.ML.ImageAnalytics and Microsoft.ML.OnnxTransformer.
/// The same chain serves <see cref="GetRowToRowMapper"/> (prediction engines).
/// </para>
/// <para>
/// <b>Identical outputs.</b> The batched and the one-row runs give bit-identical pixels and images for the seed MLP
/// and DCGAN generators (ONNX Runtime 1.31.1 on x64, checked by the tests), so the in-memory transformer, a model
/// loaded with <see cref="GanCatalog.LoadGenerator"/> and one loaded with <c>mlContext.Model.Load</c> give identical
/// outputs for rows that carry a latent column.
/// </para>
/// <para>
/// <b>The zip describes itself.</b> Next to the chain, saving writes the batched graph, whose ONNX
/// <c>metadata_props</c> record the latent dimension and distribution, the image shape, the pixel and label columns,
/// the class count, the output columns and a training summary, and the training history; stock ML.NET ignores both
/// entries. <see cref="GanCatalog.LoadGenerator"/> rebuilds the full transformer from them.
/// </para>
/// <para>
/// <b>Rows without a latent column.</b> An <c>EstimatorChain</c> transforms its training data with every
/// fitted transformer, and training data has no latent column. So when the latent column is absent,
/// this transformer draws one latent vector per input row, a function of the training seed
/// and the row's id, appends it as the latent column and generates from it: a synthetic twin of every
/// row (of the row's class, for a conditional GAN). A model loaded with <c>mlContext.Model.Load</c> does not do
/// this — it requires the latent column, like any OnnxTransformer.
/// </para>
/// </remarks>
public sealed class GanTransformer : ITransformer, ICanSaveModel, IDisposable
{
    private readonly MLContext _context;
    private readonly GeneratorModel _model;
    private readonly TemporaryModelFile _scoringModelFile;
    private readonly TransformerChain<ITransformer> _scoring;
    private readonly TransformerChain<ITransformer> _imageColumn;
    private readonly Lazy<OnnxGeneratorSession> _session;
    private readonly int? _gpuDeviceId;
    private bool _disposed;

    /// <param name="context">The context the chains are built in.</param>
    /// <param name="model">The exported generator.</param>
    /// <param name="history">What training recorded.</param>
    /// <param name="threads">ONNX Runtime intra-op threads of the batched runs; null for the ones the model records (training's).</param>
    internal GanTransformer(MLContext context, GeneratorModel model, GanTrainingHistory history, int? threads = null)
    {
        _context = context;
        _model = model;
        History = history;
        ScoringThreads = threads ?? model.Metadata.Threads;
        // The context's GPU settings apply to both engines: these batched runs and the OnnxTransformer of the chain.
        _gpuDeviceId = OnnxGeneratorSession.UsableCudaDevice(context.GpuDeviceId, context.FallbackToCpu);
        _session = new(() => new OnnxGeneratorSession(_model.Onnx, _model.Layout, LatentDimension, ScoringThreads, _gpuDeviceId, _context.FallbackToCpu));
        _scoringModelFile = new TemporaryModelFile(model.OneRowOnnx());
        _scoring = BuildScoringChain();
        _imageColumn = BuildImageColumn();
    }

    /// <summary>Size of the latent vectors the generator takes.</summary>
    public int LatentDimension => _model.Metadata.LatentDimension;

    /// <summary>Channels × height × width of the generated images.</summary>
    public ImageShape ImageShape => _model.Metadata.ImageShape;

    /// <summary>The input column: <c>Vector&lt;Single, LatentDimension&gt;</c>.</summary>
    public string LatentColumnName => _model.Metadata.LatentColumnName;

    /// <summary>The generated pixels column (values in [0, 1]).</summary>
    public string GeneratedPixelsColumnName => _model.Metadata.GeneratedPixelsColumnName;

    /// <summary>The generated image column (<see cref="MLImage"/>).</summary>
    public string GeneratedImageColumnName => _model.Metadata.GeneratedImageColumnName;

    /// <summary>The distribution latent vectors were drawn from in training.</summary>
    public LatentDistribution LatentDistribution => _model.Metadata.LatentDistribution;

    /// <summary>Whether the generator is conditioned on a label (then an input column next to the latent one).</summary>
    public bool IsConditional => Label is not null;

    /// <summary>Number of classes of a conditional generator; 0 otherwise.</summary>
    public int ClassCount => _model.Metadata.ClassCount;

    /// <summary>The label input of a conditional generator (the training label column's name); null otherwise.</summary>
    public string? LabelColumnName => Label?.Name;

    /// <summary>The label input's type (the training label column's type); null when not conditional.</summary>
    public DataViewType? LabelColumnType => Label?.Type;

    /// <summary>Per-epoch losses and fixed-latent samples.</summary>
    public GanTrainingHistory History { get; }

    /// <summary>
    /// Rows per ONNX Runtime call in <see cref="Transform"/>, <see cref="Generate"/> and <see cref="GenerateTrainingRows"/>:
    /// 1,000 for the MLP; 16 for convolutional generators, which ONNX Runtime runs no faster per row in larger batches.
    /// </summary>
    public int BatchSize => _model.BatchSize;

    /// <summary>
    /// ONNX Runtime intra-op threads of <see cref="Transform"/>, <see cref="Generate"/> and <see cref="GenerateTrainingRows"/>:
    /// <see cref="GanOptions.Threads"/> of training (1 when training chose its own), or what <see cref="GanCatalog.LoadGenerator"/> was given.
    /// </summary>
    public int ScoringThreads { get; }

    /// <summary>The label column of a conditional generator (name, type, key names, classes); null otherwise.</summary>
    private LabelSpec? Label => _model.Metadata.Label;

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <summary>
    /// The generator as an ONNX model with a batch dimension: input [N, z] (and, when conditional, the class
    /// as a one-hot [N, classes] for key labels or an int64 [N] index for integer labels), output [N, …pixel
    /// dimensions] in [0, 1].
    /// </summary>
    /// <remarks>
    /// The model's <c>metadata_props</c> hold what the generator is (keys starting with <c>gan.</c>): latent column,
    /// dimension and distribution, image shape, pixel column, label column and classes, output columns and a
    /// training summary.
    /// </remarks>
    public byte[] GetOnnxModel() => (byte[])_model.Onnx.Clone();

    /// <summary>The artifact this transformer scores (shared, never modified).</summary>
    internal GeneratorModel Model
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _model;
        }
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckLabelColumn(inputSchema);
        DataViewSchema withLatent = HasLatentColumn(inputSchema) ? inputSchema : LatentDataView.SchemaWithLatent(inputSchema, LatentColumnName, LatentDimension);
        return _imageColumn.GetOutputSchema(GeneratorOutputDataView.SchemaFor(withLatent, _model));
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input) => TransformObserved(input, generated => generated);

    /// <summary><see cref="Transform"/>; <paramref name="observe"/> may wrap the generated view before the image column is added (tests watch what is read from it).</summary>
    internal IDataView TransformObserved(IDataView input, Func<IDataView, IDataView> observe)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(input);
        CheckLabelColumn(input.Schema);
        IDataView withLatent = HasLatentColumn(input.Schema)
            ? input
            : LatentDataView.Append(input, LatentColumnName, LatentDimension, History.Seed, LatentDistribution);
        return _imageColumn.Transform(observe(new GeneratorOutputDataView(withLatent, _model, () => _session.Value)));
    }

    /// <inheritdoc />
    /// <remarks>Requires the latent column (a row-to-row mapper cannot add the synthetic-twin column).</remarks>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckLabelColumn(inputSchema);
        if (!HasLatentColumn(inputSchema))
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Latent column '{LatentColumnName}' not found; a prediction engine needs it as Vector<Single, {LatentDimension}> in the input rows.");
        }

        return ((ITransformer)_scoring).GetRowToRowMapper(inputSchema);
    }

    /// <summary>
    /// Latent rows for this generator (and, when conditional, a label per row: row i gets class i mod classes,
    /// or the classes <paramref name="countsPerClass"/> asks for, in class order).
    /// </summary>
    internal IDataView SampleLatent(long count, int seed, IReadOnlyList<int>? countsPerClass, float scale = 1f)
        => LatentDataView.Sample(count, LatentColumnName, LatentDimension, seed, LatentDistribution, LabelPlan(count, countsPerClass), scale);

    /// <summary>
    /// <paramref name="count"/> generated rows (<c>Latent</c>, the label when conditional, <c>GeneratedPixels</c>),
    /// computed lazily in batches of <see cref="BatchSize"/> rows by ONNX Runtime — the fast path for bulk generation. Row i uses the
    /// latent vector (and class) <see cref="GanDataCatalog.SampleLatent(GanTransformer, long, int, IReadOnlyList{int}, float)"/>
    /// gives row i for the same seed, so the pixels equal those of <see cref="Transform"/> over that view.
    /// </summary>
    /// <param name="count">Rows to generate.</param>
    /// <param name="seed">Seed of the latent vectors.</param>
    /// <param name="countsPerClass">Conditional generators: rows per class, summing to <paramref name="count"/>; null for a balanced round robin.</param>
    public IDataView Generate(long count, int seed, IReadOnlyList<int>? countsPerClass = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new GeneratedDataView(() => _session.Value, _model.Layout, count, LatentDimension, seed, LatentDistribution, BatchSize,
            LatentColumnName, LabelPlan(count, countsPerClass), new PixelOutput(GeneratedPixelsColumnName, _model.Layout.PixelDimensions, AsBytes: false, Scale: 1f));
    }

    /// <summary>
    /// Synthetic labelled rows with the training data's schema — the label column (same name, type and key
    /// names) and the pixel column (same name and type, values in the training column's range) — to append
    /// to real rows and feed to any ML.NET trainer. Needs a conditional generator trained on a
    /// <c>Vector&lt;Single&gt;</c> or <c>Vector&lt;Byte&gt;</c> pixel column.
    /// </summary>
    /// <param name="count">Rows to generate.</param>
    /// <param name="seed">Seed of the latent vectors.</param>
    /// <param name="countsPerClass">Rows per class, summing to <paramref name="count"/>; null for a balanced round robin.</param>
    /// <param name="options">
    /// Filtering by a classifier's confidence in each row's label, and an optional weight column; null keeps every row.
    /// With a filter, the rows come from per-class candidate streams of the seed rather than from
    /// <see cref="GanDataCatalog.SampleLatent(GanTransformer, long, int, IReadOnlyList{int}, float)"/>'s rows.
    /// </param>
    public IDataView GenerateTrainingRows(long count, int seed, IReadOnlyList<int>? countsPerClass = null, SyntheticRowOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        options?.Validate();
        if (!IsConditional)
        {
            throw new InvalidOperationException(
                $"Labelled synthetic rows need a conditional generator; train with {nameof(GanOptions)}.{nameof(GanOptions.Conditional)} = true.");
        }

        if (_model.Metadata.Pixels.Storage == PixelStorage.Image)
        {
            throw new NotSupportedException(
                $"The generator was trained on the image column '{_model.Metadata.Pixels.Name}'; training rows are written for vector pixel columns only. Use {nameof(Generate)} or {nameof(Transform)}.");
        }

        var pixels = new PixelOutput(_model.Metadata.Pixels.Name, _model.Metadata.Pixels.Dimensions, _model.Metadata.Pixels.Storage == PixelStorage.Byte, _model.Metadata.Pixels.MaxValue);
        return new GeneratedDataView(() => _session.Value, _model.Layout, count, LatentDimension, seed, LatentDistribution, BatchSize,
            latentColumn: null, LabelPlan(count, countsPerClass), pixels, Judge(options), options?.LatentScale ?? 1f);
    }

    /// <summary>The row judge <paramref name="options"/> ask for: its classifier checked against this generator's images and classes.</summary>
    private RowJudge? Judge(SyntheticRowOptions? options)
    {
        if (options is null || !options.JudgesRows)
        {
            return null;
        }

        if (options.WeightColumnName is string weight && (weight == _model.Metadata.Pixels.Name || weight == Label!.Name))
        {
            throw new ArgumentException(
                $"{nameof(SyntheticRowOptions)}.{nameof(SyntheticRowOptions.WeightColumnName)} '{weight}' is already the pixel or label column; choose another name.", nameof(options));
        }

        Func<float[], int, float[]> probabilities;
        if (options.Classifier is LeNetClassifier classifier)
        {
            if (classifier.ImageShape != ImageShape || classifier.ClassCount != ClassCount)
            {
                throw new ArgumentException(
                    $"{nameof(SyntheticRowOptions)}.{nameof(SyntheticRowOptions.Classifier)} classifies {classifier.ImageShape} images into {classifier.ClassCount} classes; " +
                    $"this generator makes {ImageShape} images of {ClassCount} classes.", nameof(options));
            }

            probabilities = (images, count) => classifier.Probabilities(images, count);
        }
        else
        {
            if (ImageShape != new ImageShape(1, LeNet.Side, LeNet.Side) || ClassCount != LeNet.ClassCount)
            {
                throw new ArgumentException(
                    $"Without {nameof(SyntheticRowOptions)}.{nameof(SyntheticRowOptions.Classifier)} rows are judged by the shipped MNIST network, which needs 1 x 28 x 28 " +
                    $"images of 10 classes; this generator makes {ImageShape} images of {ClassCount} classes. Train one with mlContext.Gan().TrainClassifier.", nameof(options));
            }

            probabilities = MnistFeatureNetwork.Probabilities;
        }

        return new RowJudge(probabilities, options.MinimumConfidence, options.MaxCandidatesPerRow, options.WeightColumnName);
    }

    /// <summary>
    /// Saves the model like <c>mlContext.Model.Save(this, inputSchema, path)</c> with the latent (and label)
    /// columns as the input schema, but atomically: the zip is written to a temporary file and renamed, so a
    /// failure leaves nothing at <paramref name="path"/>.
    /// </summary>
    public void Save(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        DataViewSchema inputs = SampleLatent(0, 0, null).Schema;
        AtomicFile.Write(path, stream => _context.Model.Save(this, inputs, stream));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ((ICanSaveModel)_scoring).Save(ctx);
        ModelZip.WriteGeneratorEntries(ctx, _model.Onnx, History);
    }

    /// <summary>
    /// Releases the native memory of scoring: the ONNX Runtime sessions of the chain's <c>OnnxTransformer</c> and of
    /// <see cref="Generate"/>, and the model file the chain reads (in the process's temporary folder,
    /// <c>microsoft-ml-gan-PID-…</c>). An undisposed transformer's file goes with its finaliser or when the process exits;
    /// the trained weights are managed memory and need nothing.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (ITransformer transformer in _scoring.Concat(_imageColumn))
        {
            (transformer as IDisposable)?.Dispose();
        }

        if (_session.IsValueCreated)
        {
            _session.Value.Dispose();
        }

        _scoringModelFile.Dispose();
    }

    private LabelSpec? LabelPlan(long count, IReadOnlyList<int>? countsPerClass)
    {
        if (Label is null)
        {
            if (countsPerClass is not null)
            {
                throw new InvalidOperationException("Counts per class need a conditional generator.");
            }

            return null;
        }

        if (countsPerClass is null)
        {
            return Label;
        }

        if (countsPerClass.Count != ClassCount || countsPerClass.Any(c => c < 0) || countsPerClass.Sum(c => (long)c) != count)
        {
            throw new ArgumentException(
                $"Expected {ClassCount} non-negative counts per class summing to {count}; got [{string.Join(", ", countsPerClass)}].", nameof(countsPerClass));
        }

        return Label.WithClasses(LabelSpec.FromCounts(countsPerClass));
    }

    private void CheckLabelColumn(DataViewSchema schema)
    {
        if (Label is null)
        {
            return;
        }

        DataViewSchema.Column? column = schema.GetColumnOrNull(Label.Name);
        if (column is null || !column.Value.Type.Equals(Label.Type))
        {
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Schema mismatch for label column '{Label.Name}': the conditional generator needs it as {Label.Type}, got {(column is null ? "no such column" : column.Value.Type.ToString())}.");
        }
    }

    private bool HasLatentColumn(DataViewSchema schema)
    {
        if (schema.GetColumnOrNull(LatentColumnName) is not DataViewSchema.Column column)
        {
            return false;
        }

        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType v } vector || v != NumberDataViewType.Single || vector.Size != LatentDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Schema mismatch for latent column '{LatentColumnName}': expected Vector<Single, {LatentDimension}>, got {column.Type}.");
        }

        return true;
    }

    private TransformerChain<ITransformer> BuildScoringChain()
    {
        IDataView current = SampleLatent(0, 0, null);
        var transformers = new List<ITransformer>();
        ITransformer Add(IEstimator<ITransformer> estimator)
        {
            ITransformer fitted = estimator.Fit(current);
            current = fitted.Transform(current);
            transformers.Add(fitted);
            return fitted;
        }

        if (Label is not null)
        {
            // ML.NET converts keys to nothing numeric, but to a one-hot vector; integers become an int64 index.
            Add(Label.IsKey
                ? _context.Transforms.Conversion.MapKeyToVector(GeneratorModel.ClassInputColumn, Label.Name)
                : _context.Transforms.Conversion.ConvertType(GeneratorModel.ClassInputColumn, Label.Name, DataKind.Int64));
        }

        // OnnxTransformer runs one row per ONNX Runtime call, where a thread pool costs more than it saves on
        // graphs this small, so prediction engines ask for 1 thread (measured here, the chain still kept both cores
        // busy: CPU time 1.9x wall time on DCGAN). ML.NET does not save thread settings, so the chain loaded by
        // mlContext.Model.Load runs with ONNX Runtime's defaults (LoadGenerator's transformer does not use it).
        // ApplyOnnxModel replaces a null GpuDeviceId with the context's, so after a fallback to the CPU (the native ONNX
        // Runtime has no CUDA provider) the OnnxTransformer is made in a context without one.
        MLContext onnxContext = _gpuDeviceId is null && _context.GpuDeviceId is not null ? new MLContext { TempFilePath = _context.TempFilePath } : _context;
        Add(onnxContext.Transforms.ApplyOnnxModel(new OnnxOptions
        {
            ModelFile = _scoringModelFile.Path,
            InputColumns = Label is null ? [LatentColumnName] : [LatentColumnName, GeneratorModel.ClassInputColumn],
            OutputColumns = [GeneratedPixelsColumnName, GeneratorModel.ImagePlanesColumn],
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            GpuDeviceId = _gpuDeviceId,
            FallbackToCpu = _context.FallbackToCpu,
        }));
        Add(_context.Transforms.ConvertToImage(ImageShape.Height, ImageShape.Width, GeneratedImageColumnName, GeneratorModel.ImagePlanesColumn));
        Add(_context.Transforms.DropColumns(Label is null ? [GeneratorModel.ImagePlanesColumn] : [GeneratorModel.ImagePlanesColumn, GeneratorModel.ClassInputColumn]));
        return new TransformerChain<ITransformer>([.. transformers]);
    }

    /// <summary>
    /// The tail of the fast path, over <see cref="GeneratorOutputDataView"/>: ConvertToImage, as in the stock chain (so
    /// images are made by the same code from the same planes), and a DropColumns of the planes. ML.NET asks the view for the planes only when the
    /// image column is read.
    /// </summary>
    private TransformerChain<ITransformer> BuildImageColumn()
    {
        IDataView generated = new GeneratorOutputDataView(SampleLatent(0, 0, null), _model, () => _session.Value);
        ITransformer image = _context.Transforms.ConvertToImage(ImageShape.Height, ImageShape.Width, GeneratedImageColumnName, GeneratorModel.ImagePlanesColumn).Fit(generated);
        ITransformer drop = _context.Transforms.DropColumns(GeneratorModel.ImagePlanesColumn).Fit(image.Transform(generated));
        return new TransformerChain<ITransformer>(image, drop);
    }
}
