using System.Globalization;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.IO;
using Microsoft.ML.Gan.Logging;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Tabular;
using Microsoft.ML.Gan.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Gan;

/// <summary>
/// Trains a generator of table rows, CTGAN's way (Xu et al. 2019), on any <see cref="IDataView"/>: Single, Double and integer
/// columns, Booleans, text (as categories) and keys (with their key values), missing values included (NaN, empty text, key 0;
/// generated at the rate they were seen). Create it with <c>mlContext.Gan().TableGenerator(...)</c>; the options say what
/// each setting is and that the defaults are CTGAN's. With <see cref="TabularGanOptions.Tvae"/> it trains TVAE, a variational
/// autoencoder from the same paper, conditioned, generated and saved the same way.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>Every column but <see cref="TabularGanOptions.ExcludedColumnNames"/>; vector columns
/// must be excluded.</description></item>
/// <item><term>Output columns</term><description>The training columns, generated (<see cref="TabularGanTransformer"/>).</description></item>
/// <item><term>Reads the data</term><description>once, into memory (encoded).</description></item>
/// </list>
/// It shares the GAN core with the image generators: the same loop, losses, Adam, checkpoints and exact resume; what is
/// particular to tables (encoders, conditional vectors, output heads) is one class (<c>Training/TableRows.cs</c>).
/// </remarks>
public sealed class TabularGanEstimator : IEstimator<TabularGanTransformer>
{
    private readonly MLContext _context;
    private readonly TabularGanOptions _options;

    internal TabularGanEstimator(MLContext context, TabularGanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _context = context;
        _options = options.Clone();
    }

    /// <inheritdoc />
    public TabularGanTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Trains on <paramref name="input"/>'s rows.</summary>
    /// <exception cref="ArgumentException">No rows; a column of an unsupported type, with one value only, missing in every row, or
    /// holding an infinite number; a label column that is not discrete. Each names the column.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled (a checkpoint is written when a directory is set).</exception>
    public TabularGanTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        TableSchema schema = TableSchema.Create(input.Schema, _options.ExcludedColumnNames);
        using var log = ContextLog.Open(_context, _options.Logger, nameof(TabularGanEstimator), "Training");
        ILogger logger = log.Logger;
        int seed = _options.Seed ?? ((IHostEnvironment)_context).Register(nameof(TabularGanEstimator)).Rand.Next();
        using var cancellation = new MlContextCancellation(_context, cancellationToken);
        cancellationToken = cancellation.Token;

        var clock = Stopwatch.StartNew();
        TableEncoder encoder = TableEncoder.Fit(input, schema, seed);
        var conditions = new ConditionSampler(encoder, seed);
        CheckLabel(encoder, conditions);
        var rows = new TableRows(encoder, conditions);
        GanLog.TableRead(logger, rows.Count, rows.Shape, string.Join(", ", schema.Columns.Select(c => c.Name)), clock.Elapsed.TotalSeconds);

        string device = TrainingDevice.Resolve(_options.Device, _context.GpuDeviceId, _context.FallbackToCpu, TrainingDevice.CudaDevices());
        TrainingPlan plan = TrainingPlan.ResolveTable(_options, rows.Layout, device);
        GanTrainingResult result = GanTrainer.Train(rows, plan, seed, logger, cancellationToken);
        return new TabularGanTransformer(_context, encoder, conditions, (CtganGenerator)result.Generator, _options, result.Epochs, result.Seed);
    }

    private void CheckLabel(TableEncoder encoder, ConditionSampler conditions)
    {
        if (_options.LabelColumnName is not string label)
        {
            return;
        }

        if (encoder.Columns.All(c => c.Column.Name != label))
        {
            throw new ArgumentOutOfRangeException(nameof(TabularGanOptions.LabelColumnName), label,
                $"Label column '{label}' is not among the training columns ({string.Join(", ", encoder.Columns.Select(c => $"'{c.Column.Name}'"))}).");
        }

        if (encoder.Columns.FirstOrDefault(c => c.Column.Name == label) is FrequencyEncodedColumn frequency)
        {
            throw new ArgumentOutOfRangeException(nameof(TabularGanOptions.LabelColumnName), label, string.Create(CultureInfo.InvariantCulture,
                $"Label column '{label}' has {frequency.Categories.Count} values, more than the {TableEncoder.MaxOneHotCategories} a conditional vector takes; a label column needs at most that many."));
        }

        if (conditions.Blocks.All(b => b.Column.Column.Name != label))
        {
            throw new ArgumentOutOfRangeException(nameof(TabularGanOptions.LabelColumnName), label,
                $"Label column '{label}' is continuous (a number with more than {TableEncoder.MaxDiscreteIntegerValues} values); a label column must be discrete: text, Boolean, a key, or an integer with few values.");
        }
    }

    /// <summary>The input's columns and, after them, the training columns generated (their shapes are known only after Fit).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return inputSchema;
    }
}
