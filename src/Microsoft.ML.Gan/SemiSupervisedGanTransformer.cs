using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Artifact;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.Transforms.Onnx;
using Microsoft.ML.Trainers;

namespace Microsoft.ML.Gan;

/// <summary>One epoch of a semi-supervised GAN's training, as <see cref="SemiSupervisedGanTransformer.History"/> keeps it.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="LabelledLoss">Mean cross-entropy of the labelled rows.</param>
/// <param name="UnlabelledLoss">Mean loss of the unlabelled and generated rows.</param>
/// <param name="GeneratorLoss">Mean feature-matching loss of the generator.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation rows given to Fit; null without them.</param>
/// <param name="Duration">Training time of the epoch.</param>
/// <param name="SelfTraining">
/// True for an epoch of self-training (<see cref="SemiSupervisedGanOptions.SelfTrainingEpochs"/>): then <paramref name="LabelledLoss"/> is
/// the student's mean cross-entropy on labelled and pseudo-labelled rows, and the unlabelled and generator losses are 0 (it has neither term).
/// </param>
public sealed record SemiSupervisedGanEpoch(int Epoch, double LabelledLoss, double UnlabelledLoss, double GeneratorLoss, double? ValidationAccuracy, TimeSpan Duration,
    bool SelfTraining = false);

/// <summary>
/// A semi-supervised GAN's discriminator as an ML.NET multiclass model: it adds <see cref="ScoreColumnName"/> (the class
/// probabilities, <c>Vector&lt;Single, K&gt;</c>) and <see cref="PredictedLabelColumnName"/> (the most probable class, of the
/// label's key type with its key values), the columns ML.NET's multiclass trainers add, so
/// <c>mlContext.MulticlassClassification.Evaluate</c> reads its output unchanged.
/// </summary>
/// <remarks>
/// It is a stock ML.NET chain over the discriminator exported to ONNX once when training ends: <c>OnnxTransformer</c> (pixels →
/// the class probabilities and the predicted class, one-hot) → an ML.NET multiclass model over the one-hot vector (maximum
/// entropy, fitted on the K one-hot codes and checked to predict each code's class, so it is the identity from code to key) that
/// gives PredictedLabel the label's key type and key values, as only ML.NET's multiclass scorers can (OnnxTransformer makes a
/// vector of every output) → <c>CopyColumns</c> (the probabilities as Score) → <c>DropColumns</c>. What it scores with is what it saves, and
/// <c>mlContext.Model.Load</c> in an app with only stock ML.NET gets the same predictions. The zip also holds
/// <c>Gan/classifier.onnx</c> (the graph, whose metadata says what the model is) and <c>Gan/classifier-history.json</c>, from
/// which <see cref="GanCatalog.LoadClassifier"/> rebuilds this transformer.
/// </remarks>
public sealed class SemiSupervisedGanTransformer : ITransformer, IDisposable
{
    private const string CodeLabelColumn = "Label";
    private const string CodeScoreColumn = "Score";
    private const string CodePredictionColumn = "PredictedLabel";
    private readonly MLContext _context;
    private readonly byte[] _onnx;
    private readonly ClassifierMetadata _metadata;
    private readonly TemporaryModelFile _modelFile;
    private readonly TransformerChain<ITransformer> _chain;
    private bool _disposed;

    internal SemiSupervisedGanTransformer(MLContext context, byte[] onnx, ClassifierMetadata metadata, IReadOnlyList<SemiSupervisedGanEpoch> history)
    {
        _context = context;
        _onnx = onnx;
        _metadata = metadata;
        History = history;
        _modelFile = new TemporaryModelFile(onnx);
        try
        {
            _chain = BuildChain();
        }
        catch
        {
            _modelFile.Dispose();
            throw;
        }
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount => _metadata.ClassCount;

    /// <summary>The classes' key values in key order (the label's <c>KeyValues</c> as text; "1".."K" when it had none).</summary>
    public IReadOnlyList<string> Classes => _metadata.KeyValues;

    /// <summary>Channels × height × width of the images it classifies.</summary>
    public ImageShape ImageShape => _metadata.Pixels.Shape;

    /// <summary>The pixel column it reads, as trained.</summary>
    public string PixelsColumnName => _metadata.Pixels.Name;

    /// <summary>The label column it was trained on (scoring does not need it).</summary>
    public string LabelColumnName => _metadata.LabelColumnName;

    /// <summary>The class probabilities it adds.</summary>
    public string ScoreColumnName => _metadata.ScoreColumnName;

    /// <summary>The predicted class it adds, of the label's key type.</summary>
    public string PredictedLabelColumnName => _metadata.PredictedLabelColumnName;

    /// <summary>Per-epoch losses and validation accuracy.</summary>
    public IReadOnlyList<SemiSupervisedGanEpoch> History { get; }

    /// <summary>The seed training used.</summary>
    public int Seed => _metadata.Training.Seed;

    /// <summary>Training rows with a label.</summary>
    public int LabelledRows => _metadata.Training.LabelledRows;

    /// <summary>All training rows, labelled and unlabelled.</summary>
    public int Rows => _metadata.Training.Rows;

    /// <summary>The network this model scores with: <see cref="SemiSupervisedNetwork.Cnn"/> after self-training (the student), else the GAN's.</summary>
    public SemiSupervisedNetwork Network => _metadata.Training.Network;

    /// <summary>Unlabelled training rows the self-trained student learned with its teacher's classes; 0 without self-training.</summary>
    public int PseudoLabelledRows => _metadata.Training.PseudoLabelledRows;

    /// <summary>Rounds of self-training the saved student came from (<see cref="SemiSupervisedGanOptions.SelfTrainingRounds"/>; 1 for zips written before rounds).</summary>
    public int SelfTrainingRounds => _metadata.Training.SelfTrainingRounds;

    /// <summary>Whether the saved student also learned the unlabelled rows by consistency (<see cref="SemiSupervisedGanOptions.StudentConsistency"/>; false for zips written before it).</summary>
    public bool StudentConsistency => _metadata.Training.StudentConsistency;

    /// <summary>
    /// The strong view of the student's consistency term (<see cref="SemiSupervisedGanOptions.StudentStrongAugmentation"/>);
    /// null when the student had no such term (<see cref="StudentConsistency"/> false).
    /// </summary>
    public ConsistencyAugmentation? StudentStrongAugmentation => _metadata.Training.StudentStrongAugmentation;

    /// <summary>The weight of the GAN's consistency term (<see cref="SemiSupervisedGanOptions.ConsistencyWeight"/>; null for zips written before it was recorded).</summary>
    public float? ConsistencyWeight => _metadata.Training.ConsistencyWeight;

    /// <summary>
    /// The share of the GAN's budget trained before its consistency term started (<see cref="SemiSupervisedGanOptions.ConsistencyStartShare"/>;
    /// 0 for zips written before it was recorded).
    /// </summary>
    public float ConsistencyStartShare => _metadata.Training.ConsistencyStartShare;

    /// <summary>
    /// Whether the student learned classes that combine the GAN's classifier with label propagation
    /// (<see cref="SemiSupervisedGanOptions.PropagateLabels"/>; false for zips written before the option existed).
    /// </summary>
    public bool PropagateLabels => _metadata.Training.PropagateLabels;

    /// <summary>
    /// Channels of the saved student's convolutions (<see cref="SemiSupervisedGanOptions.StudentChannels"/>); null when the
    /// GAN's classifier was saved (no self-training); 32 for zips with a student written before they were recorded.
    /// </summary>
    public int? StudentChannels => _metadata.Training.StudentChannels;

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    internal ClassifierMetadata Metadata => _metadata;

    /// <summary>The classifier as an ONNX graph (the one the saved chain runs), with what it is in its metadata.</summary>
    public byte[] GetOnnxModel() => (byte[])_onnx.Clone();

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return _chain.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema);
        return _chain.Transform(input);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return ((ITransformer)_chain).GetRowToRowMapper(inputSchema);
    }

    /// <summary>
    /// The few-labels data made fully labelled for a generator: every unlabelled row (missing key in
    /// <see cref="LabelColumnName"/>) takes the class this classifier predicts for it when it gives that class at least
    /// <paramref name="minimumConfidence"/>, and is left out otherwise; labelled rows keep their own. Feed the result to
    /// <c>mlContext.Gan().Generator(GanOptions.SyntheticDataRecipe())</c> for a conditional generator of labelled synthetic rows.
    /// Reads <paramref name="data"/> once to classify it; the result reads it again, so its row order must be stable.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The label or pixel column is missing or of another type than trained.</exception>
    public IDataView LabelUnlabelledRows(IDataView data, float minimumConfidence = 0.95f)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!float.IsFinite(minimumConfidence) || minimumConfidence < 0 || minimumConfidence > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minimumConfidence), minimumConfidence, $"The minimum confidence must lie in [0, 1]; got {minimumConfidence}.");
        }

        CheckInput(data.Schema);
        DataViewSchema.Column label = data.Schema.GetColumnOrNull(LabelColumnName) ?? throw new ArgumentOutOfRangeException(nameof(data),
            $"Label column '{LabelColumnName}' not found; the rows to label need it (a key type, missing on the unlabelled rows).");
        if (label.Type is not KeyDataViewType key || key.Count != (ulong)ClassCount)
        {
            throw new ArgumentOutOfRangeException(nameof(data), $"Label column '{LabelColumnName}' has type {label.Type}; expected a key type of {ClassCount} values, as trained.");
        }

        IDataView scored = Transform(data);
        var classes = new List<long>();
        using (DataViewRowCursor cursor = scored.GetRowCursor([scored.Schema[label.Index], scored.Schema[ScoreColumnName]]))
        {
            Func<long> read = LabelCodec.Reader(cursor, scored.Schema[label.Index], isKey: true);
            ValueGetter<VBuffer<float>> scores = cursor.GetGetter<VBuffer<float>>(scored.Schema[ScoreColumnName]);
            VBuffer<float> score = default;
            while (cursor.MoveNext())
            {
                long own = read();
                if (own >= 0)
                {
                    classes.Add(own);
                    continue;
                }

                scores(ref score);
                ReadOnlySpan<float> probabilities = score.GetValues();
                int best = 0;
                for (int c = 1; c < probabilities.Length; c++)
                {
                    best = probabilities[c] > probabilities[best] ? c : best;
                }

                classes.Add(probabilities[best] >= minimumConfidence ? best : -1);
            }
        }

        return new PseudoLabelledDataView(data, label, [.. classes]);
    }

    /// <summary>
    /// Saves the model like <c>mlContext.Model.Save(this, schema, path)</c> with the pixel column as the input schema, but
    /// atomically: written to a temporary file and renamed, so a failure leaves nothing at <paramref name="path"/>.
    /// </summary>
    public void Save(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        AtomicFile.Write(path, stream => _context.Model.Save(this, InputTemplate().Schema, stream));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ((ICanSaveModel)_chain).Save(ctx);
        ModelZip.WriteClassifierEntries(ctx, _onnx, JsonSerializer.SerializeToUtf8Bytes(History));
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    internal static SemiSupervisedGanTransformer Load(MLContext context, string path)
    {
        (byte[] onnx, byte[] history) = ModelZip.ReadClassifier(path);
        var model = global::Onnx.ModelProto.Parser.ParseFrom(onnx);
        ClassifierMetadata metadata = ClassifierMetadata.FromProperties(model.MetadataProps.ToDictionary(p => p.Key, p => p.Value), $"Model '{path}'");
        SemiSupervisedGanEpoch[] epochs;
        try
        {
            epochs = JsonSerializer.Deserialize<SemiSupervisedGanEpoch[]>(history) ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Model '{path}' has an unreadable '{ModelZip.ClassifierHistoryEntry}': {e.Message}", e);
        }

        return new SemiSupervisedGanTransformer(context, onnx, metadata, epochs);
    }

    /// <summary>
    /// Releases the ONNX Runtime session of the chain's <c>OnnxTransformer</c> and the model file it reads (in the
    /// process's temporary folder, <c>microsoft-ml-gan-PID-…</c>; an undisposed one's goes when the process exits).
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (ITransformer transformer in _chain)
        {
            (transformer as IDisposable)?.Dispose();
        }

        _modelFile.Dispose();
    }

    private void CheckInput(DataViewSchema schema)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        PixelColumn expected = _metadata.Pixels;
        DataViewSchema.Column column = schema.GetColumnOrNull(expected.Name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema),
                $"Pixel column '{expected.Name}' not found; the classifier reads {ExpectedType()}. Input columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"))}.");
        if (!column.Type.Equals(ExpectedType()))
        {
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Schema mismatch for pixel column '{expected.Name}': expected {ExpectedType()}, as trained; got {column.Type}.");
        }
    }

    private VectorDataViewType ExpectedType()
        => new(_metadata.Pixels.Storage == PixelStorage.Byte ? NumberDataViewType.Byte : NumberDataViewType.Single, _metadata.Pixels.Dimensions);

    /// <summary>An empty view with the pixel column as trained: what the chain is fitted on and saved against.</summary>
    private IDataView InputTemplate()
    {
        var schema = SchemaDefinition.Create(_metadata.Pixels.Storage == PixelStorage.Byte ? typeof(ByteRow) : typeof(SingleRow));
        schema[0].ColumnName = _metadata.Pixels.Name;
        schema[0].ColumnType = ExpectedType();
        return _metadata.Pixels.Storage == PixelStorage.Byte
            ? _context.Data.LoadFromEnumerable(Array.Empty<ByteRow>(), schema)
            : _context.Data.LoadFromEnumerable(Array.Empty<SingleRow>(), schema);
    }

    private TransformerChain<ITransformer> BuildChain()
    {
        IDataView current = InputTemplate();
        var transformers = new List<ITransformer>();
        void Add(ITransformer fitted)
        {
            current = fitted.Transform(current);
            transformers.Add(fitted);
        }

        Add(_context.Transforms.ApplyOnnxModel(new OnnxOptions
        {
            ModelFile = _modelFile.Path,
            InputColumns = [_metadata.Pixels.Name],
            OutputColumns = [ClassifierOnnxExporter.ProbabilitiesColumn, ClassifierOnnxExporter.PredictedOneHotColumn],
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            FallbackToCpu = true,
        }).Fit(current));
        Add(FitCodeToKey());
        // The multiclass model names its outputs Score and PredictedLabel: the probabilities replace its score (its own is of
        // the one-hot code, not of the image), and both take the names the options chose.
        Add(_context.Transforms.CopyColumns(_metadata.ScoreColumnName, ClassifierOnnxExporter.ProbabilitiesColumn).Fit(current));
        if (_metadata.PredictedLabelColumnName != CodePredictionColumn)
        {
            Add(_context.Transforms.CopyColumns(_metadata.PredictedLabelColumnName, CodePredictionColumn).Fit(current));
        }

        string[] temporary = [ClassifierOnnxExporter.ProbabilitiesColumn, ClassifierOnnxExporter.PredictedOneHotColumn,
            .. new[] { CodeScoreColumn, CodePredictionColumn }.Where(c => c != _metadata.ScoreColumnName && c != _metadata.PredictedLabelColumnName)];
        Add(_context.Transforms.DropColumns(temporary).Fit(current));
        return new TransformerChain<ITransformer>([.. transformers]);
    }

    /// <summary>
    /// A maximum-entropy model from the one-hot code of a class to that class as a key with the label's key values, fitted on
    /// the K codes (with the key values mapped by MapValueToKey, so the key type and names are the label's), then checked on
    /// every code: it must predict class k for code k, or this throws.
    /// </summary>
    private ITransformer FitCodeToKey()
    {
        int classes = _metadata.ClassCount;
        CodeRow[] codes = [.. Enumerable.Range(0, classes).SelectMany(k => Enumerable.Repeat(new CodeRow
        {
            Value = _metadata.KeyValues[k],
            Code = [.. Enumerable.Range(0, classes).Select(i => i == k ? 1f : 0f)],
        }, 4))];
        var schema = SchemaDefinition.Create(typeof(CodeRow));
        schema[nameof(CodeRow.Code)].ColumnName = ClassifierOnnxExporter.PredictedOneHotColumn;
        schema[ClassifierOnnxExporter.PredictedOneHotColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
        IDataView data = _context.Data.LoadFromEnumerable(codes, schema);
        IDataView keyValues = _context.Data.LoadFromEnumerable(_metadata.KeyValues.Select(value => new KeyValueRow { Value = value }));
        ITransformer toKey = _context.Transforms.Conversion.MapValueToKey(CodeLabelColumn, nameof(CodeRow.Value), keyData: keyValues).Fit(data);
        IDataView labelled = toKey.Transform(data);
        ITransformer model = _context.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = CodeLabelColumn,
            FeatureColumnName = ClassifierOnnxExporter.PredictedOneHotColumn,
            L1Regularization = 0,
            L2Regularization = 1e-4f,
            NumberOfThreads = 1,
        }).Fit(labelled);

        uint[] predicted = [.. model.Transform(labelled).GetColumn<uint>(CodePredictionColumn)];
        uint[] expected = [.. labelled.GetColumn<uint>(CodeLabelColumn)];
        if (!predicted.SequenceEqual(expected))
        {
            throw new InvalidOperationException($"The code-to-key model does not return every class for its code ({predicted.Zip(expected).Count(p => p.First != p.Second)} of {predicted.Length} wrong).");
        }

        return model;
    }

    private sealed class KeyValueRow
    {
        public string Value { get; set; } = "";
    }

    private sealed class CodeRow
    {
        public string Value { get; set; } = "";

        public float[] Code { get; set; } = [];
    }

    private sealed class SingleRow
    {
        public float[] Pixels { get; set; } = [];
    }

    private sealed class ByteRow
    {
        public byte[] Pixels { get; set; } = [];
    }

}
