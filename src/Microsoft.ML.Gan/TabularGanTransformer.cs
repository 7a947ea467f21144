using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Artifact;
using Microsoft.ML.Gan.Generation;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Tabular;

namespace Microsoft.ML.Gan;

/// <summary>
/// A trained generator of table rows (<see cref="TabularGanEstimator"/>): rows with exactly the training schema (names,
/// types, key values, annotations), generated on demand and seeded.
/// </summary>
/// <remarks>
/// <para>
/// <b>As a transformer</b>, it maps each input row to one generated row, appended as the training columns (which hide any
/// input columns of the same names, as ML.NET transforms do). A row's latent vector comes from the input's
/// <see cref="TabularGanOptions.LatentColumnName"/> column when it has one (<see cref="LatentWidth"/> floats; make them with
/// <see cref="SampleLatent"/>), otherwise it is drawn from the training seed and the row's position. So in a pipeline fitted on
/// real rows, every later step is fitted on a synthetic twin of each row — of the row's label, when
/// <see cref="TabularGanOptions.LabelColumnName"/> is set and the input has that column.
/// </para>
/// <para>
/// <b>Generating rows</b>: <see cref="Generate(long, int)"/> draws rows as the training rows were distributed;
/// <see cref="Generate(long, int, string, string)"/> only rows whose discrete column has a value (upsampling a minority class):
/// the generator is conditioned on the value and the column is set to it.
/// Views are lazy: rows are generated in batches as a cursor reaches them, a pure function of the seed and the row's position.
/// </para>
/// <para>
/// <b>Saving</b>: <c>mlContext.Model.Save</c> (or <see cref="Save(string)"/>) writes a chain of stock ML.NET transforms over the
/// generator exported to ONNX with its sampling and decoding, so an app with only ML.NET, its OnnxTransformer and ONNX Runtime
/// loads it with <c>mlContext.Model.Load</c> and maps latent rows (the <see cref="TabularGanOptions.LatentColumnName"/> column,
/// <see cref="LatentWidth"/> floats) to rows of the training columns, as this transformer does. Its graph's metadata says what
/// it is (<c>gan.data.kind</c> = <c>table</c>, the latent layout, the columns). Double columns and integers beyond 2²⁴ come
/// back at float precision there; conditioning on a value is this class's (<see cref="Generate(long, int, string, string)"/>).
/// </para>
/// </remarks>
public sealed class TabularGanTransformer : ITransformer, IDisposable
{
    private readonly TableEncoder _encoder;
    private readonly ConditionSampler _conditions;
    private readonly CtganGenerator _generator;
    private readonly TableSampling _sampling;
    private readonly TabularGanOptions _options;
    private readonly object _generatorLock = new();
    private readonly MLContext _context;
    private TableModelChain? _saved;
    private bool _disposed;

    internal TabularGanTransformer(MLContext context, TableEncoder encoder, ConditionSampler conditions, CtganGenerator generator, TabularGanOptions options,
        IReadOnlyList<GanEpochSummary> epochs, int seed)
    {
        _context = context;
        _encoder = encoder;
        _conditions = conditions;
        _generator = generator;
        _options = options;
        _sampling = new TableSampling(encoder, conditions, options.LatentDimension);
        Epochs = epochs;
        Seed = seed;
        GeneratedSchema = new GeneratedTableDataView(_sampling, encoder, generator, _generatorLock, new TableGenerationSource(null, 0, seed, null, null, -1)).Schema;
    }

    /// <summary>The schema of generated rows: the training columns, as the training data had them.</summary>
    public DataViewSchema GeneratedSchema { get; }

    /// <summary>Floats in a latent row: the latent dimension, one sampling uniform per one-hot group of the encoding, two for the condition.</summary>
    public int LatentWidth => _sampling.LatentWidth;

    /// <summary>The seed training used; rows without a latent column are drawn from it.</summary>
    public int Seed { get; }

    /// <summary>One summary per training epoch: mean critic and generator losses (with <see cref="TabularGanOptions.Tvae"/>: reconstruction loss and KL divergence), and time.</summary>
    public IReadOnlyList<GanEpochSummary> Epochs { get; }

    /// <summary>The label column the generator was trained with, if any (<see cref="TabularGanOptions.LabelColumnName"/>).</summary>
    public string? LabelColumnName => _options.LabelColumnName;

    /// <summary><paramref name="count"/> rows distributed as the training rows, from <paramref name="seed"/>.</summary>
    public IDataView Generate(long count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return View(new TableGenerationSource(null, count, seed, null, null, -1));
    }

    /// <summary>
    /// <paramref name="count"/> rows whose column <paramref name="columnName"/> (a discrete or key column) has the value
    /// <paramref name="value"/>, written as messages show it (text as is, Booleans True or False, keys by their key value).
    /// </summary>
    /// <exception cref="ArgumentException">The column is not a discrete column of the training rows, or never had that value.</exception>
    public IDataView Generate(long count, int seed, string columnName, string value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        float[] vector = _conditions.ConditionOn(columnName, value);
        return View(new TableGenerationSource(null, count, seed, null, null, Array.IndexOf(vector, 1f)));
    }

    /// <summary><paramref name="count"/> rows of the label value <paramref name="labelValue"/> (of <see cref="TabularGanOptions.LabelColumnName"/>).</summary>
    /// <exception cref="InvalidOperationException">The generator was trained without a label column.</exception>
    public IDataView Generate(long count, int seed, string labelValue)
        => Generate(count, seed, _options.LabelColumnName ?? throw new InvalidOperationException(
            $"This generator was trained without {nameof(TabularGanOptions)}.{nameof(TabularGanOptions.LabelColumnName)}; name the column: Generate(count, seed, column, value)."), labelValue);

    /// <summary><paramref name="count"/> latent rows of <paramref name="seed"/>'s stream, in a column named <see cref="TabularGanOptions.LatentColumnName"/>.</summary>
    public IDataView SampleLatent(long count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new LatentRowsDataView(_sampling, _options.LatentColumnName, count, seed);
    }

    /// <summary>
    /// How close <paramref name="synthetic"/> rows are to <paramref name="real"/> ones, as SDMetrics' quality report measures it:
    /// column shapes (1 − Kolmogorov–Smirnov for numbers, 1 − total variation for categories), column pair trends (correlation
    /// and contingency similarity) and their mean. Both views need the training columns; each is read as training classified it.
    /// </summary>
    /// <exception cref="ArgumentException">A view lacks a training column, has it with another type, or has no rows.</exception>
    public TableQualityReport EvaluateQuality(IDataView real, IDataView synthetic)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(synthetic);
        return TableQuality.Evaluate(_encoder, real, synthetic);
    }

    /// <inheritdoc />
    public bool IsRowToRowMapper => false;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumns(GeneratedSchema);
        return builder.ToSchema();
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(_disposed, this);
        DataViewSchema.Column? latent = input.Schema.GetColumnOrNull(_options.LatentColumnName);
        if (latent is { } column && (column.Type is not VectorDataViewType { ItemType: NumberDataViewType number } vector || number != NumberDataViewType.Single
            || (vector.Size != 0 && vector.Size != LatentWidth)))
        {
            throw new ArgumentOutOfRangeException(nameof(input),
                $"Schema mismatch for latent column '{column.Name}': expected Vector<Single, {LatentWidth}>; got {column.Type}.");
        }

        DataViewSchema.Column? label = _options.LabelColumnName is string name ? input.Schema.GetColumnOrNull(name) : null;
        if (label is { } labelColumn)
        {
            DataViewType trained = _encoder.Schema.Columns.Single(c => c.Name == labelColumn.Name).Source.Type;
            if (labelColumn.Type.RawType != trained.RawType)
            {
                throw new ArgumentOutOfRangeException(nameof(input),
                    $"Schema mismatch for label column '{labelColumn.Name}': the generator was trained on {trained}; got {labelColumn.Type}.");
            }
        }

        return View(new TableGenerationSource(input, 0, Seed, latent, latent is null ? label : null, -1));
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
        => throw new NotSupportedException("A table generator generates rows in batches; use Transform, not a row-to-row mapper (prediction engine).");

    /// <summary>
    /// Saves the generator like <c>mlContext.Model.Save(this, schema, path)</c> with the latent column as the input schema, but
    /// atomically: written to a temporary file and renamed, so a failure leaves nothing at <paramref name="path"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">A column the stock chain cannot write back (named in the message).</exception>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        AtomicFile.Write(path, stream => _context.Model.Save(this, SampleLatent(0, Seed).Schema, stream));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ((ICanSaveModel)SavedChain().Chain).Save(ctx);
    }

    /// <summary>The stock chain <see cref="Save(string)"/> writes, built once (the ONNX export reads the generator's weights).</summary>
    private TableModelChain SavedChain()
    {
        lock (_generatorLock)
        {
            if (_saved is null)
            {
                var layout = new TableGraphLayout(_options.LatentColumnName, _options.LatentDimension, _sampling.Blocks,
                    [.. Enumerable.Range(0, _sampling.Blocks.Count).Select(_sampling.CumulativeFrequency)]);
                byte[] onnx = TableOnnxExporter.Export(_generator, _encoder, layout, Metadata());
                _saved = TableModelChain.Build(_context, onnx, _encoder, _options.LatentColumnName, LatentWidth);
            }

            return _saved;
        }
    }

    /// <summary>What the saved graph says it is, in its <c>metadata_props</c>.</summary>
    private Dictionary<string, string> Metadata()
    {
        var invariant = CultureInfo.InvariantCulture;
        var properties = new Dictionary<string, string>
        {
            ["gan.kind"] = GeneratorMetadata.Kind,
            ["gan.format_version"] = GeneratorMetadata.FormatVersion.ToString(invariant),
            ["gan.minimum_reader_version"] = GeneratorMetadata.FormatVersion.ToString(invariant),
            ["gan.library_version"] = GeneratorMetadata.CurrentLibraryVersion,
            ["gan.data.kind"] = GeneratorMetadata.TableDataKind,
            ["gan.latent.column"] = _options.LatentColumnName,
            ["gan.latent.width"] = LatentWidth.ToString(invariant),
            ["gan.latent.layout"] = string.Create(invariant,
                $"{_options.LatentDimension} x N(0, 1), then {_sampling.HeadCount} x U[0, 1) (one per one-hot group), then 2 x U[0, 1) (the condition)"),
            ["gan.table.columns"] = string.Join("; ", _encoder.Columns.Select(c => $"{c.Column.Name}: {c.Column.Source.Type} ({c.Kind})")),
            ["gan.training.model"] = _options.Tvae is null ? "Ctgan" : "Tvae",
            // The generator's (TVAE's decoder's) layers: CTGAN's residual blocks, or TVAE's own Linear → ReLU layers.
            ["gan.training.generator_network"] = _options.Tvae is { ResidualDecoder: false } ? "LinearRelu" : "Residual",
            ["gan.training.epochs"] = Epochs.Count.ToString(invariant),
            ["gan.training.seed"] = Seed.ToString(invariant),
        };
        if (_options.LabelColumnName is string label)
        {
            properties["gan.label.column"] = label;
        }

        return properties;
    }

    private GeneratedTableDataView View(TableGenerationSource source)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new GeneratedTableDataView(_sampling, _encoder, _generator, _generatorLock, source);
    }

    /// <summary>Frees the TorchSharp generator; views made before then fail when read.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _saved?.Dispose();
            _generator.Dispose();
        }
    }
}
