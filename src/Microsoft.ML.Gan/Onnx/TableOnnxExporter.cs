using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Tabular;
using Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>What a table generator's sampling adds to its network: the latent row's layout and how a condition is drawn.</summary>
/// <param name="LatentName">Graph input (and ML.NET column): one latent row, [<c>LatentDimension + heads + 2</c>] floats.</param>
/// <param name="LatentDimension">Floats of z at the start of a latent row.</param>
/// <param name="Blocks">The conditional vector's blocks, one per discrete column.</param>
/// <param name="CumulativeFrequency">Per block, its categories' cumulative training frequencies.</param>
internal sealed record TableGraphLayout(string LatentName, int LatentDimension, IReadOnlyList<ConditionBlock> Blocks, IReadOnlyList<IReadOnlyList<double>> CumulativeFrequency);

/// <summary>
/// Writes a table generator as the one-row ONNX graph ML.NET's OnnxTransformer runs (opset 17): the whole of
/// <c>TableSampling.Generate</c> and the columns' decoding, so a latent row gives the same table row in and out of process.
/// <code>
/// Latent [W] ─ Reshape [1, W] ─┬─ z ──────────────────────────────────────┐
///                              ├─ 2 uniforms ─ block, category (training frequency) ─ one-hot ─ Concat ─ residual blocks ─ Linear ─ raw row
///                              └─ a uniform per one-hot group ─────────────────────────────────────────────┐
/// raw row ─ per column: tanh α | softmax ─ CumSum ─ count below the uniform (inverse CDF) ─ mode or category index
///         ─ continuous: α · 4σₖ + μₖ in double within the training range (rounded and saturated for integers, NaN when drawn missing) ─▶ [1] float
///         ─ discrete, key: the category's index in one-hot order ─▶ [1] float
///         ─ frequency-encoded: the position as a continuous value, then the index of the interval it falls in ─▶ [1] float
/// </code>
/// Each column leaves as a one-float vector (OnnxTransformer makes a vector of every output); the stock chain around it
/// (<c>TabularGanTransformer</c>) turns each into a scalar of the column's type.
/// </summary>
internal static class TableOnnxExporter
{
    /// <summary>The graph output (and hidden ML.NET column) of training column <paramref name="index"/>.</summary>
    public static string OutputName(int index) => $"__gan_table_column_{index}";

    public static byte[] Export(CtganGenerator generator, TableEncoder encoder, TableGraphLayout layout, IReadOnlyDictionary<string, string> metadata)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int heads = encoder.Spans.Count(s => s.Kind == EncodedSpanKind.Softmax);
        int z = layout.LatentDimension;
        int width = z + heads + 2;
        var graph = new OnnxGraph();
        graph.AddInput(layout.LatentName, [width]);
        string latent = graph.Reshape(layout.LatentName, "latent", 1, width);

        string x = graph.Columns(latent, 0, z, "z");
        if (layout.Blocks.Count > 0)
        {
            x = graph.Concat([x, Condition(graph, layout, graph.Columns(latent, z + heads, z + heads + 1, "pick_block"), graph.Columns(latent, z + heads + 1, z + heads + 2, "pick_category"))], 1, "conditioned");
        }

        foreach ((string name, nn.Module<Tensor, Tensor> layer) in generator.Layers)
        {
            x = layer switch
            {
                ResidualLayer residual => graph.Concat([graph.Node("Relu", [graph.BatchNorm(graph.Linear(x, residual.Fc, name + "_fc"), residual.Norm, name + "_bn")], name + "_relu"), x], 1, name),
                LinearReluLayer hidden => graph.Node("Relu", [graph.Linear(x, hidden.Fc, name + "_fc")], name),
                Linear linear => graph.Linear(x, linear, name),
                _ => throw new NotSupportedException($"The table ONNX exporter has no rule for generator layer '{name}' ({layer.GetType().Name}); it knows ResidualLayer, LinearReluLayer and Linear."),
            };
        }

        // The heads, in span order: a tanh α, or the index a one-hot group's uniform draws.
        string uniforms = graph.Columns(latent, z, z + heads, "uniforms");
        var outputs = new Dictionary<int, string>();
        int head = 0;
        foreach (EncodedSpan span in encoder.Spans)
        {
            string logits = graph.Columns(x, span.Offset, span.Offset + span.Width, $"span{span.Offset}");
            if (span.Kind == EncodedSpanKind.Scalar)
            {
                string tanh = graph.Node("Tanh", [logits], $"alpha{span.Offset}_tanh");
                outputs[span.Offset] = graph.Node("Clip", [tanh, graph.Constant("minus_one", [-1f]), graph.Constant("one", [1f])], $"alpha{span.Offset}");
            }
            else
            {
                outputs[span.Offset] = Draw(graph, logits, span.Width, graph.Columns(uniforms, head, head + 1, $"uniform{head}"), $"draw{span.Offset}");
                head++;
            }
        }

        for (int c = 0; c < encoder.Columns.Count; c++)
        {
            EncodedColumn column = encoder.Columns[c];
            string value = column switch
            {
                ContinuousEncodedColumn continuous => Continuous(graph, continuous.Encoder, continuous.Column.Type == TableColumnType.Integer ? continuous.Column.Source.Type.RawType : null,
                    outputs[column.Offset], outputs[column.Offset + 1], continuous.HasMissing ? outputs[column.Offset + continuous.Encoder.Width] : null, $"column{c}"),
                FrequencyEncodedColumn frequency => Interval(graph, frequency, Continuous(graph, frequency.Encoder, null, outputs[column.Offset], outputs[column.Offset + 1], null, $"column{c}", inDouble: true), $"column{c}"),
                _ => outputs[column.Offset],
            };
            graph.Node("Reshape", [value, graph.Int64Constant($"column{c}_shape", 1)], $"column{c}_row", output: OutputName(c));
            graph.AddOutput(OutputName(c), [1]);
        }

        return graph.ToModel("Generator of table rows trained with Microsoft.ML.Gan (CTGAN-class, TorchSharp); a latent row in, one value per column out.", metadata);
    }

    /// <summary>
    /// CTGAN's original condition from two uniforms, as <c>TableSampling</c> draws it: block ⌊u₁ · B⌋ (at most B − 1), then
    /// the number of the block's categories (but its last) whose cumulative frequency is at most u₂; one-hot over the vector.
    /// </summary>
    private static string Condition(OnnxGraph graph, TableGraphLayout layout, string pickBlock, string pickCategory)
    {
        int blocks = layout.Blocks.Count;
        int width = layout.Blocks.Sum(b => b.Width);
        string scaled = graph.Node("Floor", [graph.Node("Mul", [pickBlock, graph.Constant("block_count", [blocks])], "block_scaled")], "block_floor");
        string block = graph.Node("Min", [graph.Cast(scaled, TensorProto.Types.DataType.Int64, "block_index"), graph.Int64Constant("last_block", blocks - 1)], "block_clamped");
        block = graph.Reshape(block, "block", -1);

        // thresholds[e]: the smallest float at or above entry e's cumulative frequency, so u ≥ it exactly when u ≥ the double.
        // mask[b, e]: 1 for the entries of block b but its last, whose thresholds count towards its category.
        var thresholds = new float[width];
        var mask = new float[blocks * width];
        var offsets = new float[blocks];
        for (int b = 0; b < blocks; b++)
        {
            ConditionBlock entry = layout.Blocks[b];
            offsets[b] = entry.Offset;
            for (int k = 0; k < entry.Width; k++)
            {
                double cumulative = layout.CumulativeFrequency[b][k];
                float threshold = (float)cumulative;
                thresholds[entry.Offset + k] = threshold < cumulative ? MathF.BitIncrement(threshold) : threshold;
                mask[(b * width) + entry.Offset + k] = k < entry.Width - 1 ? 1 : 0;
            }
        }

        string reached = graph.Cast(graph.Node("GreaterOrEqual", [pickCategory, graph.Constant("condition_thresholds", thresholds, width)], "category_reached"),
            TensorProto.Types.DataType.Float, "category_reached_float");
        string counted = graph.Node("Mul", [reached, graph.Node("Gather", [graph.Constant("condition_mask", mask, blocks, width), block], "block_mask", [OnnxGraph.Int("axis", 0)])], "category_counted");
        string category = graph.RowSum(counted, "category");
        string offset = graph.Reshape(graph.Node("Gather", [graph.Constant("block_offsets", offsets, blocks), block], "block_offset", [OnnxGraph.Int("axis", 0)]), "block_offset_column", -1, 1);
        string index = graph.Node("Add", [offset, category], "condition_index");
        string entries = graph.Constant("condition_entries", [.. Enumerable.Range(0, width).Select(e => (float)e)], width);
        return graph.Cast(graph.Node("Equal", [index, entries], "condition_hot"), TensorProto.Types.DataType.Float, "condition");
    }

    /// <summary>The index of the first entry whose cumulative softmax probability is not below <paramref name="uniform"/> [N, 1], as a float [N, 1].</summary>
    private static string Draw(OnnxGraph graph, string logits, int width, string uniform, string hint)
    {
        string probabilities = graph.Node("Softmax", [logits], hint + "_softmax", [OnnxGraph.Int("axis", 1)]);
        string cumulative = graph.Node("CumSum", [probabilities, graph.Int64Constant(hint + "_axis", 1)], hint + "_cumsum");
        string below = graph.Cast(graph.Node("Less", [cumulative, uniform], hint + "_less"), TensorProto.Types.DataType.Float, hint + "_below");
        return graph.Node("Min", [graph.RowSum(below, hint + "_count"), graph.Constant(hint + "_last", [width - 1f])], hint);
    }

    /// <summary>α · 4σₖ + μₖ of the drawn mode k within the training range, in double as <c>ContinuousColumnEncoder.Decode</c>; an integer column's rounded and saturated; NaN where drawn missing.</summary>
    private static string Continuous(OnnxGraph graph, ContinuousColumnEncoder encoder, Type? integer, string alpha, string mode, string? presence, string hint, bool inDouble = false)
    {
        double[] scales = [.. encoder.ModeDeviations.Select(d => ContinuousColumnEncoder.AlphaUnit * d)];
        double[] means = [.. encoder.ModeMeans];
        string k = graph.Reshape(graph.Cast(mode, TensorProto.Types.DataType.Int64, hint + "_mode"), hint + "_mode_index", -1, 1);
        string scale = graph.Reshape(graph.Node("Gather", [graph.DoubleConstant(hint + "_scales", scales, scales.Length), k], hint + "_scale", [OnnxGraph.Int("axis", 0)]), hint + "_scale_column", -1, 1);
        string mean = graph.Reshape(graph.Node("Gather", [graph.DoubleConstant(hint + "_means", means, means.Length), k], hint + "_mean", [OnnxGraph.Int("axis", 0)]), hint + "_mean_column", -1, 1);
        string value = graph.Node("Add", [graph.Node("Mul", [graph.Cast(alpha, TensorProto.Types.DataType.Double, hint + "_alpha"), scale], hint + "_scaled"), mean], hint + "_unbounded");
        value = graph.Node("Clip", [value, graph.DoubleConstant(hint + "_minimum", [encoder.Minimum]), graph.DoubleConstant(hint + "_maximum", [encoder.Maximum])], hint + "_value");
        if (integer is not null)
        {
            (double low, double high) = IntegerRange(integer);
            value = graph.Node("Clip", [graph.Node("Round", [value], hint + "_round"), graph.DoubleConstant(hint + "_low", [low]), graph.DoubleConstant(hint + "_high", [high])], hint + "_saturated");
        }

        if (inDouble)
        {
            return value;
        }

        value = graph.Cast(value, TensorProto.Types.DataType.Float, hint + "_float");
        if (presence is not null)
        {
            string missing = graph.Node("Equal", [presence, graph.Constant(hint + "_missing_entry", [1f])], hint + "_missing");
            value = graph.Node("Where", [missing, graph.Constant(hint + "_nan", [float.NaN]), value], hint + "_or_nan");
        }

        return value;
    }

    /// <summary>A frequency-encoded column's category index: how many intervals after the first start at or before the position.</summary>
    private static string Interval(OnnxGraph graph, FrequencyEncodedColumn column, string position, string hint)
    {
        double[] starts = [.. column.Starts.Skip(1)];
        if (starts.Length == 0)
        {
            return graph.Constant(hint + "_only", [0f], 1, 1);
        }

        string reached = graph.Node("GreaterOrEqual", [position, graph.DoubleConstant(hint + "_starts", starts, starts.Length)], hint + "_reached");
        return graph.RowSum(graph.Cast(reached, TensorProto.Types.DataType.Float, hint + "_reached_float"), hint + "_index");
    }

    private static (double Low, double High) IntegerRange(Type raw) => raw switch
    {
        _ when raw == typeof(sbyte) => (sbyte.MinValue, sbyte.MaxValue),
        _ when raw == typeof(byte) => (byte.MinValue, byte.MaxValue),
        _ when raw == typeof(short) => (short.MinValue, short.MaxValue),
        _ when raw == typeof(ushort) => (ushort.MinValue, ushort.MaxValue),
        _ when raw == typeof(int) => (int.MinValue, int.MaxValue),
        _ when raw == typeof(uint) => (uint.MinValue, uint.MaxValue),
        _ when raw == typeof(long) => (long.MinValue, long.MaxValue),
        _ => (ulong.MinValue, ulong.MaxValue),
    };
}
