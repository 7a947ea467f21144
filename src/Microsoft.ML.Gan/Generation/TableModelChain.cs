using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.Gan.Tabular;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.Gan.Generation;

/// <summary>
/// A table generator as a chain of stock ML.NET transforms, what <c>mlContext.Model.Save</c> writes, so an app with only
/// ML.NET, its OnnxTransformer and ONNX Runtime loads it and generates rows (<see cref="TableOnnxExporter"/> has the graph):
/// <code>
/// Latent ─ OnnxTransformer ─▶ one [1] vector per column
///   per column: a linear regression model of weight exactly 1 and bias 0 (vector [1] → Single Score, bit for bit)
///     ─ CopyColumns (Single) | ConvertType (Double, integers) | MapValue (index → text, Boolean, integer)
///     | MapValue (index → key value) ─ MapValueToKey with the key values in key order (keys: same indices, same names)
/// ─ DropColumns (the vectors, Score)
/// </code>
/// The regression model is the one stock transform that turns a one-slot vector into a scalar (OnnxTransformer makes every
/// output a vector; ML.NET's other transforms keep a vector a vector). Doubles and large integers pass through a Single, so
/// they keep float precision (24 bits).
/// </summary>
internal sealed class TableModelChain : IDisposable
{
    private const string Score = "Score";
    private const string KeyValueColumn = "Value";

    /// <summary>What a missing key value maps to: a text no key value is, so MapValueToKey gives key 0.</summary>
    private const string MissingKeyValue = "\u0000missing";

    private readonly TemporaryModelFile _model;

    private TableModelChain(TemporaryModelFile model, TransformerChain<ITransformer> chain)
    {
        _model = model;
        Chain = chain;
    }

    public TransformerChain<ITransformer> Chain { get; }

    /// <summary>The chain over <paramref name="onnx"/> (from <see cref="TableOnnxExporter"/>) for <paramref name="encoder"/>'s columns.</summary>
    /// <exception cref="NotSupportedException">A column the stock chain cannot write back exactly (named): a key column without
    /// distinct text key values, or a column named as one of the chain's own columns.</exception>
    public static TableModelChain Build(MLContext ml, byte[] onnx, TableEncoder encoder, string latentName, int latentWidth)
    {
        string[] outputs = [.. Enumerable.Range(0, encoder.Columns.Count).Select(TableOnnxExporter.OutputName)];
        foreach (TableColumn column in encoder.Schema.Columns)
        {
            if (column.Name == Score || column.Name == latentName || outputs.Contains(column.Name))
            {
                throw new NotSupportedException(
                    $"Column '{column.Name}' has a name the saved model uses for its own columns ({Score}, the latent column '{latentName}'); rename it to save this generator.");
            }
        }

        var model = new TemporaryModelFile(onnx);
        try
        {
            var schema = SchemaDefinition.Create(typeof(LatentRow));
            schema[0].ColumnName = latentName;
            schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, latentWidth);
            IDataView current = ml.Data.LoadFromEnumerable(Array.Empty<LatentRow>(), schema);
            var transformers = new List<ITransformer>();
            void Add(IEstimator<ITransformer> estimator)
            {
                ITransformer fitted = estimator.Fit(current);
                current = fitted.Transform(current);
                transformers.Add(fitted);
            }

            Add(ml.Transforms.ApplyOnnxModel(new OnnxOptions
            {
                ModelFile = model.Path,
                InputColumns = [latentName],
                OutputColumns = outputs,
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                FallbackToCpu = true,
            }));
            var temporary = new List<string>(outputs) { Score };
            for (int c = 0; c < encoder.Columns.Count; c++)
            {
                transformers.Add(Scalar(ml, outputs[c]));
                current = transformers[^1].Transform(current);
                foreach (IEstimator<ITransformer> step in ToColumn(ml, encoder.Columns[c], temporary))
                {
                    Add(step);
                }
            }

            Add(ml.Transforms.DropColumns([.. temporary]));
            return new TableModelChain(model, new TransformerChain<ITransformer>([.. transformers]));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A regression model from the one-slot vector <paramref name="feature"/> to Score with weight 1 and bias 0: online gradient
    /// descent (squared loss, step 0.25, no averaging, decay or shuffling) on the rows (1, 1) and (−1, −1) lands there exactly
    /// in one pass. Checked, so a trainer that behaves otherwise fails here rather than in a user's rows.
    /// </summary>
    private static ITransformer Scalar(MLContext ml, string feature)
    {
        var schema = SchemaDefinition.Create(typeof(ScalarRow));
        schema[nameof(ScalarRow.Features)].ColumnName = feature;
        schema[feature].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1);
        IDataView rows = ml.Data.LoadFromEnumerable([new ScalarRow { Features = [1f], Label = 1f }, new ScalarRow { Features = [-1f], Label = -1f }], schema);
        var trainer = ml.Regression.Trainers.OnlineGradientDescent(new OnlineGradientDescentTrainer.Options
        {
            FeatureColumnName = feature,
            LabelColumnName = nameof(ScalarRow.Label),
            LearningRate = 0.25f,
            DecreaseLearningRate = false,
            Averaged = false,
            L2Regularization = 0,
            NumberOfIterations = 1,
            Shuffle = false,
        });
        var fitted = trainer.Fit(rows);
        float weight = fitted.Model.Weights.Single();
        if (weight != 1f || fitted.Model.Bias != 0f)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The stock regression model that makes column '{feature}' a scalar came out with weight {weight} and bias {fitted.Model.Bias}, not exactly 1 and 0; this ML.NET's OnlineGradientDescent differs from the one this library was built with."));
        }

        return fitted;
    }

    /// <summary>The steps from Score (a Single) to <paramref name="column"/>'s values in its own type, under its name.</summary>
    private static IEnumerable<IEstimator<ITransformer>> ToColumn(MLContext ml, EncodedColumn column, List<string> temporary)
    {
        string name = column.Column.Name;
        DataViewType type = column.Column.Source.Type;
        if (column is ContinuousEncodedColumn)
        {
            if (type == NumberDataViewType.Single || type == NumberDataViewType.Double)
            {
                yield return type == NumberDataViewType.Single ? ml.Transforms.CopyColumns(name, Score) : ml.Transforms.Conversion.ConvertType(name, Score, DataKind.Double);
                yield break;
            }

            // ConvertType takes no Single to an integer; the expression language does (the graph has rounded and saturated it),
            // and ConvertType then narrows it. No stock conversion goes from a signed to an unsigned integer but through text,
            // which ConvertType parses.
            bool unsigned = type.RawType == typeof(byte) || type.RawType == typeof(ushort) || type.RawType == typeof(uint) || type.RawType == typeof(ulong);
            string integer = $"__gan_table_integer_{column.Offset}";
            temporary.Add(integer);
            yield return ml.Transforms.Expression(integer, unsigned || type.RawType == typeof(long) ? "x => long(x)" : "x => int(x)", Score);
            if (unsigned)
            {
                string text = $"__gan_table_integer_text_{column.Offset}";
                temporary.Add(text);
                yield return ml.Transforms.Conversion.ConvertType(text, integer, DataKind.String);
                integer = text;
            }

            yield return ml.Transforms.Conversion.ConvertType(name, integer, KindOf(type.RawType));
            yield break;
        }

        IReadOnlyList<ColumnCategory> categories = column.Categories!;
        if (column.Kind == TableColumnKind.Key)
        {
            string[] keyValues = KeyValues(column.Column);
            string text = $"__gan_table_key_value_{column.Offset}";
            temporary.Add(text);
            yield return MapValue(ml, text, categories.Select(c => ((IConvertible)c.Value).ToUInt64(CultureInfo.InvariantCulture) is ulong key && key > 0 ? keyValues[key - 1] : MissingKeyValue));
            IDataView keyData = ml.Data.LoadFromEnumerable(keyValues.Select(v => new KeyValueRow { Value = v }));
            yield return ml.Transforms.Conversion.MapValueToKey(name, text, keyData: keyData);
            yield break;
        }

        yield return categories[0].Value switch
        {
            ReadOnlyMemory<char> => MapValue(ml, name, categories.Select(c => ((ReadOnlyMemory<char>)c.Value).ToString())),
            bool => MapValue(ml, name, categories.Select(c => (bool)c.Value)),
            sbyte => MapValue(ml, name, categories.Select(c => (sbyte)c.Value)),
            byte => MapValue(ml, name, categories.Select(c => (byte)c.Value)),
            short => MapValue(ml, name, categories.Select(c => (short)c.Value)),
            ushort => MapValue(ml, name, categories.Select(c => (ushort)c.Value)),
            int => MapValue(ml, name, categories.Select(c => (int)c.Value)),
            uint => MapValue(ml, name, categories.Select(c => (uint)c.Value)),
            long => MapValue(ml, name, categories.Select(c => (long)c.Value)),
            ulong => MapValue(ml, name, categories.Select(c => (ulong)c.Value)),
            _ => throw new NotSupportedException($"Column '{name}' holds {type}; the saved model has no mapping for it."),
        };
    }

    /// <summary>MapValue from the category's index in one-hot order (Score) to <paramref name="values"/>[index].</summary>
    private static IEstimator<ITransformer> MapValue<T>(MLContext ml, string output, IEnumerable<T> values)
        => ml.Transforms.Conversion.MapValue(output, values.Select((v, i) => new KeyValuePair<float, T>(i, v)), Score);

    /// <summary>A key column's key values in key order; the chain rebuilds its type from them, so they must be distinct texts, one per key.</summary>
    private static string[] KeyValues(TableColumn column)
    {
        var key = (KeyDataViewType)column.Source.Type;
        VBuffer<ReadOnlyMemory<char>> values = default;
        bool named = column.Source.Annotations.Schema.GetColumnOrNull("KeyValues") is { Type: VectorDataViewType { ItemType: TextDataViewType } };
        if (named)
        {
            column.Source.GetKeyValues(ref values);
        }

        string[] texts = named ? [.. values.DenseValues().Select(v => v.ToString())] : [];
        if (key.RawType != typeof(uint) || !named || (ulong)texts.Length != key.Count || texts.Distinct(StringComparer.Ordinal).Count() != texts.Length)
        {
            throw new NotSupportedException(
                $"Key column '{column.Name}' ({column.Source.Type}) cannot be saved: the stock chain rebuilds a key column with MapValueToKey, which needs UInt32 keys with one distinct text key value per key (what MapValueToKey makes). Exclude the column, or make it with MapValueToKey.");
        }

        return texts;
    }

    private static DataKind KindOf(Type raw) => raw switch
    {
        _ when raw == typeof(double) => DataKind.Double,
        _ when raw == typeof(sbyte) => DataKind.SByte,
        _ when raw == typeof(byte) => DataKind.Byte,
        _ when raw == typeof(short) => DataKind.Int16,
        _ when raw == typeof(ushort) => DataKind.UInt16,
        _ when raw == typeof(int) => DataKind.Int32,
        _ when raw == typeof(uint) => DataKind.UInt32,
        _ when raw == typeof(long) => DataKind.Int64,
        _ => DataKind.UInt64,
    };

    /// <summary>Releases the OnnxTransformer's session and the model file it reads.</summary>
    public void Dispose()
    {
        foreach (ITransformer transformer in Chain)
        {
            (transformer as IDisposable)?.Dispose();
        }

        _model.Dispose();
    }

    private sealed class LatentRow
    {
        public float[] Latent { get; set; } = [];
    }

    private sealed class ScalarRow
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class KeyValueRow
    {
        public string Value { get; set; } = "";
    }
}
