using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Tabular;
using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Generation;

/// <summary>
/// Generation of table rows from a trained <see cref="CtganGenerator"/>, as a pure function of each row's latent vector: the
/// same latent row always gives the same table row, however rows are batched.
/// </summary>
/// <remarks>
/// A latent row is <see cref="LatentWidth"/> floats: z ~ N(0, 1) (<see cref="LatentDimension"/>), then one uniform in [0, 1) per
/// one-hot group of the encoding (<see cref="HeadCount"/>), then two uniforms that pick the row's condition. The generator runs
/// in eval mode on [z; condition]; each α goes through tanh; each one-hot group's softmax is sampled by its uniform (inverse
/// CDF: the category whose cumulative probability first exceeds it), which draws categories with the probabilities the
/// generator gives, as CTGAN's Gumbel-softmax sampling does. Without a fixed condition, the condition is drawn as CTGAN's
/// <c>sample_original_condvec</c> draws it: a discrete column uniformly, then one of its categories at its training
/// frequency.
/// </remarks>
internal sealed class TableSampling
{
    /// <summary>Where the uniforms of a latent row come from: another stream of the same seed.</summary>
    private const int UniformStream = 0x5EED7AB1;

    private readonly TableEncoder _encoder;
    private readonly (int Offset, int Width, bool Softmax)[] _heads;
    private readonly ConditionBlock[] _blocks;

    /// <summary>Per entry of the conditional vector: its block (so a conditioned row finds its column without a search).</summary>
    private readonly ConditionBlock[] _blockOfEntry;

    /// <summary>(column, category label) to its entry of the conditional vector, for twins of a label.</summary>
    private readonly Dictionary<(string Column, string Label), int> _entryOf = [];
    private readonly double[][] _cumulativeFrequency;

    public TableSampling(TableEncoder encoder, ConditionSampler conditions, int latentDimension)
    {
        _encoder = encoder;
        _heads = [.. encoder.Spans.Select(s => (s.Offset, s.Width, s.Kind == EncodedSpanKind.Softmax))];
        _blocks = [.. conditions.Blocks];
        _blockOfEntry = [.. _blocks.SelectMany(b => Enumerable.Repeat(b, b.Width))];
        foreach (ConditionBlock block in _blocks)
        {
            for (int c = 0; c < block.Width; c++)
            {
                _entryOf[(block.Column.Column.Name, block.Column.OneHotCategories[c].Label)] = block.Offset + c;
            }
        }
        ConditionWidth = conditions.Width;
        LatentDimension = latentDimension;
        HeadCount = _heads.Count(h => h.Softmax);
        _cumulativeFrequency = new double[_blocks.Length][];
        for (int b = 0; b < _blocks.Length; b++)
        {
            var cumulative = new double[_blocks[b].Width];
            double sum = 0;
            for (int c = 0; c < cumulative.Length; c++)
            {
                sum += conditions.RowsWith(b, c).Count;
                cumulative[c] = sum;
            }

            for (int c = 0; c < cumulative.Length; c++)
            {
                cumulative[c] /= sum;
            }

            _cumulativeFrequency[b] = cumulative;
        }
    }

    public int LatentDimension { get; }

    /// <summary>The blocks of the conditional vector, one per discrete column, in order.</summary>
    public IReadOnlyList<ConditionBlock> Blocks => _blocks;

    /// <summary>Block <paramref name="block"/>'s categories' cumulative training frequencies (the last is 1).</summary>
    public IReadOnlyList<double> CumulativeFrequency(int block) => _cumulativeFrequency[block];

    /// <summary>One-hot groups of the encoding (modes, categories, present/missing): one sampling uniform each.</summary>
    public int HeadCount { get; }

    public int ConditionWidth { get; }

    /// <summary>Floats in a latent row: z, a uniform per one-hot group, two uniforms for the condition.</summary>
    public int LatentWidth => LatentDimension + HeadCount + 2;

    /// <summary>Latent row <paramref name="row"/> of <paramref name="seed"/>'s stream, into <paramref name="destination"/> (<see cref="LatentWidth"/> floats).</summary>
    public void FillLatent(Span<float> destination, int seed, ulong row)
    {
        LatentSampler.Fill(destination[..LatentDimension], seed, row, LatentDistribution.Normal);
        Span<float> uniforms = destination[LatentDimension..];
        LatentSampler.Fill(uniforms, seed ^ UniformStream, row, LatentDistribution.Uniform);
        for (int i = 0; i < uniforms.Length; i++)
        {
            // (k − 2^23) / 2^23 in [−1, 1) to k / 2^24 in [0, 1), exactly.
            uniforms[i] = (uniforms[i] + 1f) * 0.5f;
        }
    }

    /// <summary>The index in the conditional vector of the category known as <paramref name="label"/> of <paramref name="column"/>; −1 when the column or category is not there.</summary>
    public int ConditionIndex(string column, string label) => _entryOf.GetValueOrDefault((column, label), -1);

    /// <summary>
    /// Generates <paramref name="count"/> encoded rows (row-major, the encoder's width) from <paramref name="latents"/>
    /// (count × <see cref="LatentWidth"/>) into <paramref name="encoded"/>. Row i is conditioned on one-hot entry
    /// <paramref name="conditions"/>[i] of the conditional vector when that is 0 or more, and then has that category; else it
    /// is conditioned on a condition its latent row draws. Scratch arrays are rented, so a stream of batches allocates
    /// nothing that grows with it (a batch's arrays are large objects, which only a full collection would reclaim).
    /// </summary>
    public void Generate(CtganGenerator generator, ReadOnlySpan<float> latents, int count, ReadOnlySpan<int> conditions, Span<float> encoded)
    {
        encoded = encoded[..(count * _encoder.Width)];
        if (count == 0)
        {
            return;
        }

        float[] z = ArrayPool<float>.Shared.Rent(count * LatentDimension);
        float[] uniforms = ArrayPool<float>.Shared.Rent(Math.Max(1, count * HeadCount));
        float[] condition = ArrayPool<float>.Shared.Rent(Math.Max(1, count * ConditionWidth));
        bool wasTraining = generator.training;
        try
        {
            Array.Clear(condition, 0, count * ConditionWidth);
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<float> row = latents.Slice(i * LatentWidth, LatentWidth);
                row[..LatentDimension].CopyTo(z.AsSpan(i * LatentDimension));
                row.Slice(LatentDimension, HeadCount).CopyTo(uniforms.AsSpan(i * HeadCount));
                if (ConditionWidth > 0)
                {
                    int index = conditions.Length > 0 && conditions[i] >= 0 ? conditions[i] : DrawCondition(row[^2], row[^1]);
                    condition[(i * ConditionWidth) + index] = 1;
                }
            }

            using var scope = torch.NewDisposeScope();
            generator.eval();
            using (torch.no_grad())
            {
                Device device = generator.parameters().First().device;
                Tensor raw = generator.forward(Matrix(z, count, LatentDimension, device), ConditionWidth > 0 ? Matrix(condition, count, ConditionWidth, device) : null);
                Tensor u = Matrix(uniforms, count, HeadCount, device);
                var parts = new Tensor[_heads.Length];
                int head = 0;
                for (int h = 0; h < _heads.Length; h++)
                {
                    (int offset, int width, bool softmax) = _heads[h];
                    Tensor logits = raw.narrow(1, offset, width);
                    parts[h] = softmax ? Sample(logits, u.narrow(1, head++, 1)) : logits.tanh();
                }

                Tensor rows = torch.cat(parts, 1).cpu().contiguous();
                rows.data<float>().CopyTo(encoded);
            }

            // A row asked for a value has it: its column's one-hot is set to the value asked for (the rest of the row was
            // generated for that condition). Drawn conditions are left as the generator sampled them, as CTGAN does.
            for (int i = 0; i < conditions.Length; i++)
            {
                if (conditions[i] >= 0)
                {
                    ConditionBlock block = _blockOfEntry[conditions[i]];
                    Span<float> oneHot = encoded.Slice((i * _encoder.Width) + block.Column.Offset, block.Width);
                    oneHot.Clear();
                    oneHot[conditions[i] - block.Offset] = 1;
                }
            }
        }
        finally
        {
            generator.train(wasTraining);
            ArrayPool<float>.Shared.Return(z);
            ArrayPool<float>.Shared.Return(uniforms);
            ArrayPool<float>.Shared.Return(condition);
        }
    }

    /// <summary>The first <paramref name="rows"/> × <paramref name="columns"/> floats of <paramref name="values"/> as a tensor on <paramref name="device"/>, copied without a managed array of their own.</summary>
    private static Tensor Matrix(float[] values, int rows, int columns, Device device)
    {
        Tensor matrix = torch.empty(rows, columns);
        matrix.data<float>().CopyFrom(values.AsSpan(0, rows * columns));
        return device.type == DeviceType.CPU ? matrix : matrix.to(device);
    }

    /// <summary>The one-hot of the category whose cumulative softmax probability first exceeds <paramref name="uniform"/> [N, 1].</summary>
    private static Tensor Sample(Tensor logits, Tensor uniform)
    {
        long width = logits.shape[1];
        Tensor below = logits.softmax(1).cumsum(1).lt(uniform).sum(1);
        return nn.functional.one_hot(below.ClampTo(0, width - 1), width).to(ScalarType.Float32);
    }

    /// <summary>CTGAN's original condition: a block by <paramref name="pickBlock"/>, a category at its training frequency by <paramref name="pickCategory"/>.</summary>
    private int DrawCondition(float pickBlock, float pickCategory)
    {
        int b = Math.Min((int)(pickBlock * _blocks.Length), _blocks.Length - 1);
        double[] cumulative = _cumulativeFrequency[b];
        int category = 0;
        while (category < cumulative.Length - 1 && cumulative[category] <= pickCategory)
        {
            category++;
        }

        return _blocks[b].Offset + category;
    }

    /// <summary>The label string a training value of a discrete column is known by (see <see cref="ColumnCategory.Label"/>).</summary>
    public static string LabelOf(object value) => value switch
    {
        ReadOnlyMemory<char> text => text.Span.IsWhiteSpace() ? EncodedColumn.MissingLabel : text.ToString(),
        bool flag => flag.ToString(),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
