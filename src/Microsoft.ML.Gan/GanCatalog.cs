using System.ComponentModel;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Artifact;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Logging;
using Microsoft.ML.Gan.Mnist;

namespace Microsoft.ML.Gan;

/// <summary>Generative adversarial networks for ML.NET, reached through <c>mlContext.Gan()</c>.</summary>
public sealed class GanCatalog
{
    /// <exception cref="NotSupportedException">The ML.NET this process loaded is not one this library works with (it names the version needed).</exception>
    internal GanCatalog(MLContext context)
    {
        MlNetInternals.Require();
        ProcessTempFolder.Adopt(context);
        Context = context;
        Data = new GanDataCatalog(context);
    }

    /// <summary>The context this catalog belongs to.</summary>
    public MLContext Context { get; }

    /// <summary>The helpers around the GANs: MNIST and IDX files, appending rows, keeping a few labels, latent vectors.</summary>
    public GanDataCatalog Data { get; }



    /// <summary>
    /// Makes every ONNX Runtime session of this context read its model file as ONNX, whatever the file's name, so that
    /// <c>mlContext.Model.Load</c> of a zip with an ONNX graph (this library's, or any other) cannot fail by chance. ML.NET
    /// writes the graph to a temporary file with a random three-letter extension, and ONNX Runtime reads a name ending in
    /// <c>.ort</c> as its own ORT format: about 1 load in 32,768 fails with "ORT model verification failed"
    /// (dotnet/machinelearning #7339). Session options the context already has are kept. ML.NET then builds every session from
    /// the context's options, so the thread counts and GPU device given to <c>ApplyOnnxModel</c> no longer apply (a loaded
    /// zip does not keep them anyway). An app with only stock ML.NET does the same with
    /// <c>mlContext.SetOnnxSessionOption(new OnnxSessionOptions { CreateSessionOptions = ... })</c> and the session entry
    /// <c>session.load_model_format = ONNX</c> (the README shows it).
    /// </summary>
    /// <returns>This catalog's context, so a load can follow: <c>ml.Gan().ReadOnnxFilesAsOnnx().Model.Load(path, out _)</c>.</returns>
    public MLContext ReadOnnxFilesAsOnnx()
    {
        Onnx.OnnxFormatSessions.Apply(Context);
        return Context;
    }

    /// <summary>
    /// A GAN estimator; its options' defaults reproduce the source article's vanilla GAN on MNIST.
    /// <c>Fit</c> trains with TorchSharp and returns a <see cref="GanTransformer"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public GanEstimator Generator(GanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(Context, options);
    }

    /// <summary>
    /// A GAN estimator with the source article's vanilla GAN (<see cref="GanOptions"/>' defaults) on
    /// <paramref name="pixelsColumnName"/>, for <paramref name="epochs"/> epochs; given a
    /// <paramref name="labelColumnName"/>, a conditional one that generates images of a chosen class.
    /// <c>Fit</c> trains with TorchSharp and returns a <see cref="GanTransformer"/>; the options overload sets the rest.
    /// </summary>
    /// <param name="pixelsColumnName">The images: a known-size vector of Single (in [0, 1], or 0–255) or Byte, or an image column.</param>
    /// <param name="labelColumnName">A key-typed (or integer) class column to condition on; null for an unconditional GAN.</param>
    /// <param name="epochs">Passes over the training rows.</param>
    public GanEstimator Generator(string pixelsColumnName = "Pixels", string? labelColumnName = null, int epochs = 100) => Generator(new GanOptions
    {
        PixelsColumnName = pixelsColumnName,
        LabelColumnName = labelColumnName ?? "Label",
        Conditional = labelColumnName is not null,
        Budget = TrainingBudget.OfEpochs(epochs),
    });

    /// <inheritdoc cref="Generator(GanOptions)"/>
    [Obsolete("Use mlContext.Gan().Generator(options) (or Generator() with its simple arguments); this member goes in the next release.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public GanEstimator Train(GanOptions? options = null) => Generator(options ?? new GanOptions());

    /// <summary>
    /// Loads a generator saved by <see cref="GanTransformer.Save"/> (or <c>mlContext.Model.Save</c> of a
    /// <see cref="GanTransformer"/>) as a full <see cref="GanTransformer"/>: the same outputs as the model that was
    /// saved from <see cref="GanTransformer.Transform"/> (the fast path), <see cref="GanTransformer.Generate"/> and
    /// <see cref="GanTransformer.GenerateTrainingRows"/>, with its latent distribution, classes, label column (type and
    /// key names), <see cref="GanTransformer.History"/> and <see cref="GanTransformer.GetOnnxModel"/>; it can be saved
    /// again. Dispose it when done.
    /// </summary>
    /// <param name="path">A model zip.</param>
    /// <param name="threads">
    /// ONNX Runtime intra-op threads for Transform and Generate (<see cref="GanTransformer.ScoringThreads"/>); null for the
    /// model's own, <see cref="GanOptions.Threads"/> of training. ML.NET does not save thread settings, so the chain
    /// <c>mlContext.Model.Load</c> returns runs with ONNX Runtime's defaults instead.
    /// </param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a zip, has no generator entries (a zip saved by an earlier Microsoft.ML.Gan, which
    /// <c>mlContext.Model.Load</c> still reads), or an entry is corrupt; the message names the file and what is missing.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1.</exception>
    public GanTransformer LoadGenerator(string path, int? threads = null)
    {
        if (threads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, $"ONNX Runtime needs at least 1 thread; got {threads}.");
        }

        (GeneratorModel model, GanTrainingHistory history) = ModelZip.Read(path);
        return new GanTransformer(Context, model, history, threads);
    }

    /// <summary>
    /// A generator trained in PyTorch, as a <see cref="GanTransformer"/>: reads the file of <c>torch.save(G.state_dict(), path)</c>
    /// (or a <c>.safetensors</c> file) for the source article's <c>Generator</c> or the DCGAN generator of
    /// bench/pytorch/gan_reference.py, and exports it to ONNX exactly as training does. Save it with
    /// <see cref="GanTransformer.Save"/>: the zip is an ordinary model zip (stock <c>mlContext.Model.Load</c> reads it) recording
    /// the latent size and distribution, and the image shape; its history has no epochs.
    /// </summary>
    /// <param name="path">The state_dict file.</param>
    /// <param name="options">The architecture and what the weights do not say; defaults (the article's Mlp, z ~ U(-1, 1)) when null.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// Not a state_dict, another architecture's, a conditional one, or keys missing, unexpected or of the wrong shape; the
    /// message names the file, every such key and both shapes.
    /// </exception>
    public GanTransformer ImportPyTorchGenerator(string path, PyTorchGeneratorOptions? options = null)
    {
        options ??= new PyTorchGeneratorOptions();
        if (!Enum.IsDefined(options.Architecture))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Architecture, $"{nameof(PyTorchGeneratorOptions)}.{nameof(PyTorchGeneratorOptions.Architecture)} must be Mlp or Dcgan.");
        }

        (GeneratorModel model, GanTrainingHistory history) = PyTorch.PyTorchGenerator.Import(path, options);
        return new GanTransformer(Context, model, history);
    }

    /// <summary>
    /// Writes <paramref name="gan"/>'s generator as a PyTorch state_dict that the article's <c>Generator(z, h, 784)</c> (Mlp) or
    /// gan_reference.py's <c>DcganGenerator(z, w)</c> loads with <c>load_state_dict</c>, no keys renamed: the <c>torch.save</c>
    /// format, or safetensors when <paramref name="path"/> ends in <c>.safetensors</c>. Written atomically. Batch-norm layers
    /// get <c>num_batches_tracked</c> = 0 (the model does not keep the count).
    /// </summary>
    /// <param name="gan">A trained, imported or loaded generator.</param>
    /// <param name="path">Where to write the weights.</param>
    /// <exception cref="NotSupportedException">The generator is conditional; the PyTorch classes take no label.</exception>
    public void ExportPyTorchGenerator(GanTransformer gan, string path)
    {
        ArgumentNullException.ThrowIfNull(gan);
        ArgumentException.ThrowIfNullOrEmpty(path);
        PyTorch.PyTorchGenerator.Export(gan.Model, path);
    }



    /// <summary>
    /// Measures generated 28 × 28 digits against real ones with the shipped MNIST feature network: FID and KID
    /// on its 128 penultimate features (and the floor between two real sets, with
    /// <see cref="GanEvaluationOptions.FloorReference"/>), the entropy of the predicted-class histogram (mode
    /// collapse shows as low entropy), the mean classifier confidence and, for labelled generated rows, label
    /// agreement and the classification accuracy score.
    /// </summary>
    /// <param name="generated">Generated images (<see cref="GanEvaluationOptions.GeneratedPixelsColumnName"/>, 784 values in [0, 1] or bytes).</param>
    /// <param name="real">Real images (e.g. the MNIST test split).</param>
    /// <param name="options">Sample counts, columns, floor reference; defaults when null.</param>
    /// <param name="cancellationToken">Stops the evaluation (as <c>mlContext.CancelExecution()</c> does) while it reads rows, between its stages and between the CNN's steps.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or not 1 × 28 × 28; CAS without real labels.</exception>
    /// <exception cref="OperationCanceledException">The evaluation was cancelled.</exception>
    public GanEvaluationResult Evaluate(IDataView generated, IDataView real, GanEvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(real);
        return Evaluation.GanEvaluator.Evaluate(Context, generated, real, options ?? new GanEvaluationOptions(), cancellationToken);
    }

    /// <summary>
    /// Generates <see cref="GanEvaluationOptions.SampleCount"/> images with <paramref name="gan"/> (classes round
    /// robin when conditional) and evaluates them against <paramref name="real"/>, like
    /// <see cref="Evaluate(IDataView, IDataView, GanEvaluationOptions?, CancellationToken)"/>.
    /// </summary>
    public GanEvaluationResult Evaluate(GanTransformer gan, IDataView real, GanEvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gan);
        ArgumentNullException.ThrowIfNull(real);
        options ??= new GanEvaluationOptions();
        options.Validate();
        int count = gan.IsConditional ? Math.Max(options.SampleCount, options.CasSampleCount) : options.SampleCount;
        IDataView generated = Context.Data.Cache(gan.Generate(count, options.Seed));
        GanEvaluationOptions forGenerator = options.Clone();
        forGenerator.GeneratedPixelsColumnName = gan.GeneratedPixelsColumnName;
        forGenerator.LabelColumnName = gan.LabelColumnName ?? options.LabelColumnName;
        return Evaluation.GanEvaluator.Evaluate(Context, generated, real, forGenerator, cancellationToken);
    }

    /// <summary>
    /// A semi-supervised GAN classifier (Salimans et al., 2016) over a few labelled and many unlabelled images: rows whose
    /// key-typed <paramref name="labelColumnName"/> is missing (key 0) are the unlabelled ones. Its transformer adds
    /// <c>Score</c> and <c>PredictedLabel</c> as ML.NET's multiclass trainers do.
    /// </summary>
    /// <param name="labelColumnName">The key-typed label, missing on unlabelled rows.</param>
    /// <param name="pixelsColumnName">The images: a known-size <c>Vector&lt;Single&gt;</c> in [0, 1] or <c>Vector&lt;Byte&gt;</c>.</param>
    public SemiSupervisedGanTrainer SemiSupervisedClassifier(string labelColumnName = "Label", string pixelsColumnName = "Pixels")
        => SemiSupervisedClassifier(new SemiSupervisedGanOptions { LabelColumnName = labelColumnName, PixelsColumnName = pixelsColumnName });

    /// <summary>A semi-supervised GAN classifier with every setting given (<see cref="SemiSupervisedGanOptions"/>).</summary>
    public SemiSupervisedGanTrainer SemiSupervisedClassifier(SemiSupervisedGanOptions options) => new(Context, options);

    /// <summary>
    /// A generator of table rows (CTGAN, Xu et al. 2019) for any table: it learns every column but
    /// <paramref name="excludedColumnNames"/> and generates rows with exactly their schema.
    /// </summary>
    /// <param name="labelColumnName">A discrete label column, so rows of one label can be generated (upsampling); optional.</param>
    /// <param name="excludedColumnNames">Columns to leave out.</param>
    public TabularGanEstimator TableGenerator(string? labelColumnName = null, params string[] excludedColumnNames)
        => TableGenerator(new TabularGanOptions { LabelColumnName = labelColumnName, ExcludedColumnNames = excludedColumnNames });

    /// <summary>A generator of table rows with every setting given (<see cref="TabularGanOptions"/>).</summary>
    public TabularGanEstimator TableGenerator(TabularGanOptions options) => new(Context, options);

    /// <summary>
    /// How close <paramref name="synthetic"/> table rows are to <paramref name="real"/> ones, as SDMetrics' quality report
    /// measures it (column shapes, column pair trends, their mean), for rows from any generator. The columns are
    /// <paramref name="real"/>'s but <paramref name="excludedColumnNames"/>, classified as the table generator classifies them
    /// (numbers with few distinct integers are categories); <paramref name="synthetic"/> must have them with the same types.
    /// </summary>
    /// <exception cref="ArgumentException">A view has no rows, or <paramref name="synthetic"/> lacks a column or has it with another type; the column is named.</exception>
    public TableQualityReport EvaluateTable(IDataView real, IDataView synthetic, params string[] excludedColumnNames)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(synthetic);
        return Tabular.TableQuality.Evaluate(Tabular.TableSchema.Create(real.Schema, excludedColumnNames ?? []), real, synthetic);
    }

    /// <summary>
    /// Loads a classifier saved by <see cref="SemiSupervisedGanTransformer.Save"/> or <c>mlContext.Model.Save</c>, with its history.
    /// (<c>mlContext.Model.Load</c> reads the same zip as a plain ML.NET chain that scores identically.)
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a classifier zip, or one written for a newer Microsoft.ML.Gan; the message names the file.</exception>
    public SemiSupervisedGanTransformer LoadClassifier(string path) => SemiSupervisedGanTransformer.Load(Context, path);

    /// <summary>
    /// Trains a small CNN (<see cref="LeNetClassifier"/>) on labelled images: to filter synthetic rows with a classifier
    /// that has seen only your labels (<see cref="SyntheticRowOptions.Classifier"/>), or as a downstream model.
    /// </summary>
    /// <param name="data">Labelled images (<see cref="LeNetClassifierOptions.PixelsColumnName"/>, <see cref="LeNetClassifierOptions.LabelColumnName"/>).</param>
    /// <param name="options">Columns, the training recipe and <see cref="LeNetClassifierOptions.Logger"/> (the context's log, <c>mlContext.Log</c>, when null); defaults (Adam 0.001, batch 128, 3 epochs) when null.</param>
    public LeNetClassifier TrainClassifier(IDataView data, LeNetClassifierOptions? options = null)
    {
        using var log = ContextLog.Open(Context, options?.Logger, nameof(LeNetClassifier), "Training");
        return LeNetClassifier.Train(data, options, log.Logger, CancellationToken.None);
    }

    /// <inheritdoc cref="TrainClassifier(IDataView, LeNetClassifierOptions?)"/>
    [Obsolete("Set LeNetClassifierOptions.Logger instead; this overload goes in the next release.")]
    public LeNetClassifier TrainClassifier(IDataView data, LeNetClassifierOptions? options, Microsoft.Extensions.Logging.ILogger? logger)
    {
        using var log = ContextLog.Open(Context, logger ?? options?.Logger, nameof(LeNetClassifier), "Training");
        return LeNetClassifier.Train(data, options, log.Logger, CancellationToken.None);
    }

    // The members below moved to Data (issue 22): kept for one release so that code written against them still compiles.

    /// <inheritdoc cref="GanDataCatalog.LoadMnist"/>
    [Obsolete("Use mlContext.Gan().Data.LoadMnist; this member goes in the next release.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IDataView LoadMnist(MnistSplit split, MnistOptions? options = null) => Data.LoadMnist(split, options);

    /// <inheritdoc cref="GanDataCatalog.LoadIdx"/>
    [Obsolete("Use mlContext.Gan().Data.LoadIdx; this member goes in the next release.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IDataView LoadIdx(string imagesPath, string? labelsPath = null, int classCount = 10, int? maxRows = null) => Data.LoadIdx(imagesPath, labelsPath, classCount, maxRows);

    /// <inheritdoc cref="GanDataCatalog.SaveAsIdx"/>
    [Obsolete("Use mlContext.Gan().Data.SaveAsIdx; this member goes in the next release.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void SaveAsIdx(IDataView data, string imagesPath, string pixelsColumnName = "Pixels", string? labelsPath = null, string labelColumnName = "Label",
        CancellationToken cancellationToken = default) => Data.SaveAsIdx(data, imagesPath, pixelsColumnName, labelsPath, labelColumnName, cancellationToken);

    /// <inheritdoc cref="GanDataCatalog.AppendRows"/>
    [Obsolete("Use mlContext.Gan().Data.AppendRows; this member goes in the next release.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IDataView AppendRows(IDataView first, params IDataView[] others) => Data.AppendRows(first, others);

    /// <inheritdoc cref="GanDataCatalog.SampleLatent(long, int, int, LatentDistribution, string)"/>
    [Obsolete("Use mlContext.Gan().Data.SampleLatent; this member goes in the next release.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IDataView SampleLatent(long count, int seed, int dimension = 100, LatentDistribution distribution = LatentDistribution.Uniform, string columnName = "Latent")
        => Data.SampleLatent(count, seed, dimension, distribution, columnName);

    /// <inheritdoc cref="GanDataCatalog.SampleLatent(GanTransformer, long, int, IReadOnlyList{int}?, float)"/>
    [Obsolete("Use mlContext.Gan().Data.SampleLatent; this member goes in the next release.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IDataView SampleLatent(GanTransformer gan, long count, int seed, IReadOnlyList<int>? countsPerClass = null, float latentScale = 1f)
        => Data.SampleLatent(gan, count, seed, countsPerClass, latentScale);

    /// <inheritdoc cref="GanDataCatalog.SampleLatent(DataViewSchema, long, int, LatentDistribution, int?, float)"/>
    [Obsolete("Use mlContext.Gan().Data.SampleLatent; this member goes in the next release.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IDataView SampleLatent(DataViewSchema inputSchema, long count, int seed, LatentDistribution distribution = LatentDistribution.Uniform, int? classCount = null,
        float latentScale = 1f) => Data.SampleLatent(inputSchema, count, seed, distribution, classCount, latentScale);

    /// <inheritdoc cref="GanDataCatalog.KeepLabels"/>
    [Obsolete("Use mlContext.Gan().Data.KeepLabels; this member goes in the next release.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IDataView KeepLabels(IDataView data, int labelsPerClass, int seed, string labelColumnName = "Label") => Data.KeepLabels(data, labelsPerClass, seed, labelColumnName);
}
