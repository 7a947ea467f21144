using Microsoft.ML.Data;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.Gan;

/// <summary>
/// A trained GAN generator as an ML.NET transformer: a latent-vector column in, a pixels column
/// (values in [0, 1], shaped like the training images) and an opaque <see cref="MLImage"/> column out.
/// </summary>
/// <remarks>
/// <para>
/// <b>One engine before and after saving.</b> The generator is exported to ONNX when training ends and
/// scoring always runs that graph: <c>OnnxTransformer</c> (latent → pixels and 3 × H × W image planes)
/// → <c>ConvertToImage</c> → <c>DropColumns</c> (the planes). <c>mlContext.Model.Save</c> stores that chain
/// (ML.NET's own persistence is closed to third-party transformers, so this type forwards
/// <see cref="ICanSaveModel.Save"/> to it), and <c>mlContext.Model.Load</c> returns it as a
/// <c>TransformerChain</c> that needs only Microsoft.ML, Microsoft.ML.ImageAnalytics and
/// Microsoft.ML.OnnxTransformer. Outputs are identical for rows that carry a latent column.
/// </para>
/// <para>
/// <b>Rows without a latent column.</b> An <c>EstimatorChain</c> transforms its training data with every
/// fitted transformer, and training data has no latent column. So when the latent column is absent,
/// this transformer (in memory) draws one latent vector per input row, a function of the training seed
/// and the row's id, appends it as the latent column and generates from it: a synthetic twin of every
/// row. A loaded model does not do this — it requires the latent column, like any OnnxTransformer.
/// </para>
/// </remarks>
public sealed class GanTransformer : ITransformer, ICanSaveModel, IDisposable
{
    private const string ImagePlanesColumn = "GanImagePlanes";
    private const int BulkBatchSize = 1000;

    private readonly MLContext _context;
    private readonly byte[] _onnxModel;
    private readonly byte[] _batchedOnnxModel;
    private readonly GeneratorGraphLayout _layout;
    private readonly TransformerChain<ITransformer> _scoring;
    private readonly Lazy<OnnxGeneratorSession> _bulkSession;
    private readonly TemporaryModelFile _scoringModelFile;
    private readonly int _threads;

    internal GanTransformer(MLContext context, Generator generator, GanTrainingHistory history, GanOptions options, int[] pixelDimensions)
    {
        _context = context;
        Generator = generator;
        History = history;
        LatentDistribution = options.LatentDistribution;
        GeneratedImageColumnName = options.GeneratedImageColumnName;
        _threads = options.Threads;
        _layout = new GeneratorGraphLayout(options.LatentColumnName, options.GeneratedPixelsColumnName, ImagePlanesColumn, pixelDimensions, history.ImageShape);
        _onnxModel = GeneratorOnnxExporter.Export(generator, _layout, batched: false);
        _batchedOnnxModel = GeneratorOnnxExporter.Export(generator, _layout, batched: true);
        _scoringModelFile = new TemporaryModelFile(_onnxModel);
        _scoring = BuildScoringChain(context, _scoringModelFile.Path, _layout, generator.LatentDimension, GeneratedImageColumnName);
        _bulkSession = new(() => new OnnxGeneratorSession(_batchedOnnxModel, _layout, LatentDimension, _threads));
    }

    /// <summary>Size of the latent vectors the generator takes.</summary>
    public int LatentDimension => Generator.LatentDimension;

    /// <summary>Channels × height × width of the generated images.</summary>
    public ImageShape ImageShape => _layout.Shape;

    /// <summary>The input column: <c>Vector&lt;Single, LatentDimension&gt;</c>.</summary>
    public string LatentColumnName => _layout.LatentName;

    /// <summary>The generated pixels column (values in [0, 1]).</summary>
    public string GeneratedPixelsColumnName => _layout.PixelsName;

    /// <summary>The generated image column (<see cref="MLImage"/>).</summary>
    public string GeneratedImageColumnName { get; }

    /// <summary>The distribution latent vectors were drawn from in training.</summary>
    public LatentDistribution LatentDistribution { get; }

    /// <summary>Per-epoch losses and fixed-latent samples.</summary>
    public GanTrainingHistory History { get; }

    /// <summary>The trained TorchSharp generator (eval mode); the discriminator is dropped after training.</summary>
    internal Generator Generator { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <summary>The generator as an ONNX model with a batch dimension: input [N, z], output [N, …pixel dimensions] in [0, 1].</summary>
    public byte[] GetOnnxModel() => (byte[])_batchedOnnxModel.Clone();

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return _scoring.GetOutputSchema(HasLatentColumn(inputSchema) ? inputSchema : LatentDataView.SchemaWithLatent(inputSchema, LatentColumnName, LatentDimension));
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        IDataView withLatent = HasLatentColumn(input.Schema)
            ? input
            : LatentDataView.Append(input, LatentColumnName, LatentDimension, History.Seed, LatentDistribution);
        return _scoring.Transform(withLatent);
    }

    /// <inheritdoc />
    /// <remarks>Requires the latent column (a row-to-row mapper cannot add the synthetic-twin column).</remarks>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!HasLatentColumn(inputSchema))
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Latent column '{LatentColumnName}' not found; a prediction engine needs it as Vector<Single, {LatentDimension}> in the input rows.");
        }

        return ((ITransformer)_scoring).GetRowToRowMapper(inputSchema);
    }

    /// <summary>
    /// <paramref name="count"/> generated rows (<c>Latent</c>, <c>GeneratedPixels</c>), computed lazily in batches
    /// of 1,000 by ONNX Runtime — the fast path for bulk generation. Row i uses the latent vector
    /// <see cref="GanCatalog.SampleLatent(GanTransformer, long, int)"/> gives row i for the same seed, so the pixels equal those of
    /// <see cref="Transform"/> over that view.
    /// </summary>
    public IDataView Generate(long count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new GeneratedDataView(() => _bulkSession.Value, _layout, count, LatentDimension, seed, LatentDistribution, BulkBatchSize);
    }

    /// <summary>
    /// Saves the model like <c>mlContext.Model.Save(this, latentSchema, path)</c>, but atomically: the zip is
    /// written to a temporary file and renamed, so a failure leaves nothing at <paramref name="path"/>.
    /// </summary>
    public void Save(string path)
    {
        DataViewSchema latentOnly = LatentDataView.Sample(0, LatentColumnName, LatentDimension, 0, LatentDistribution).Schema;
        AtomicFile.Write(path, stream => _context.Model.Save(this, latentOnly, stream));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_scoring).Save(ctx);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (ITransformer transformer in _scoring)
        {
            (transformer as IDisposable)?.Dispose();
        }

        if (_bulkSession.IsValueCreated)
        {
            _bulkSession.Value.Dispose();
        }

        Generator.Dispose();
        _scoringModelFile.Dispose();
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

    private static TransformerChain<ITransformer> BuildScoringChain(MLContext context, string modelFile, GeneratorGraphLayout layout, int latentDimension, string imageColumn)
    {
        IDataView empty = LatentDataView.Sample(0, layout.LatentName, latentDimension, 0, LatentDistribution.Uniform);
        // One row per ONNX Runtime call: a thread pool costs more than it saves on a graph this small
        // (1 thread scored ~65% more rows/s than the default here; docs/BENCHMARKS.md). ML.NET does not
        // save thread settings, so a loaded model runs with ONNX Runtime's defaults.
        ITransformer onnx = context.Transforms.ApplyOnnxModel(new OnnxOptions
        {
            ModelFile = modelFile,
            InputColumns = [layout.LatentName],
            OutputColumns = [layout.PixelsName, layout.ImagePlanesName],
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
        }).Fit(empty);
        IDataView scored = onnx.Transform(empty);
        ITransformer image = context.Transforms.ConvertToImage(layout.Shape.Height, layout.Shape.Width, imageColumn, layout.ImagePlanesName).Fit(scored);
        IDataView imaged = image.Transform(scored);
        ITransformer drop = context.Transforms.DropColumns(layout.ImagePlanesName).Fit(imaged);
        return new TransformerChain<ITransformer>(onnx, image, drop);
    }
}
