using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Tabular;
using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// Table rows as GAN rows, the CTGAN way (Xu et al. 2019): each row encoded once by a fitted <see cref="TableEncoder"/>;
/// training-by-sampling (a conditional vector per row, drawn by <see cref="ConditionSampler"/>'s rule, and a real row that
/// has its category); the generator's heads (tanh on each α, Gumbel-softmax with τ = <see cref="GumbelTemperature"/> on each
/// one-hot group); the condition's cross-entropy in the generator's loss; the critic reading [row; condition].
/// </summary>
/// <remarks>
/// Every draw (conditions, rows, Gumbel noise) comes from libtorch's generator, which checkpoints save and restore: a seeded
/// run repeats bit for bit and a resumed one continues exactly.
/// </remarks>
internal sealed class TableRows : GanRows
{
    /// <summary>CTGAN's Gumbel-softmax temperature.</summary>
    public const double GumbelTemperature = 0.2;

    private readonly float[] _encoded;

    public TableRows(TableEncoder encoder, ConditionSampler conditions)
    {
        Encoder = encoder;
        Conditions = conditions;
        _encoded = encoder.EncodeRows();
        Layout = new TableLayout(encoder.Width, conditions.Width);
    }

    public TableEncoder Encoder { get; }

    public ConditionSampler Conditions { get; }

    public TableLayout Layout { get; }

    public override string Kind => "Table";

    public override string Noun => "table rows";

    public override int Count => Encoder.RowCount;

    public override string Shape => string.Create(CultureInfo.InvariantCulture,
        $"{Encoder.Columns.Count} columns ({Layout.RowWidth} encoded values, conditional vector {Layout.ConditionWidth})");

    public override string Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(_encoded.AsSpan()));
        foreach (EncodedColumn column in Encoder.Columns)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(column.Column.Name + "\0"));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    public override JsonObject Describe(string fingerprint) => new()
    {
        ["Kind"] = Kind,
        ["Columns"] = Encoder.Columns.Count,
        ["Width"] = Layout.RowWidth,
        ["ConditionWidth"] = Layout.ConditionWidth,
        ["Rows"] = Count,
        ["Fingerprint"] = fingerprint,
    };

    /// <summary>CTGAN's epoch: ⌊rows / batch⌋ full batches (at least one), drawn by condition rather than walked in order.</summary>
    public override int StepsPerEpoch(int batchSize) => Math.Max(1, Count / batchSize);

    public override GanBatches Upload(TrainingPlan plan, Device device) => new Batches(this, device);

    private sealed class Batches : GanBatches
    {
        private readonly List<IDisposable> _owned = [];
        private readonly Tensor _rows;
        private readonly (int RowOffset, int ConditionOffset, int Width)[] _blocks;
        private readonly SegmentedSoftmax _heads;
        private readonly SegmentedSoftmax? _conditioned;
        private readonly int _conditionWidth;
        private readonly Tensor? _logFrequency;
        private readonly Tensor? _blockOffsets;
        private readonly Tensor? _firstRow;
        private readonly Tensor? _rowCount;
        private readonly Tensor? _rowsByCategory;
        private readonly Tensor? _conditionColumns;
        private readonly Tensor? _conditionBlocks;
        private readonly int _maxCategories;
        private readonly Scalar _temperature = GumbelTemperature.ToScalar();

        public Batches(TableRows table, Device device)
        {
            TableEncoder encoder = table.Encoder;
            // from_array shares the encoded array (pinned) rather than copying it, as torch.tensor would: on the CPU the table
            // is in memory once.
            using (Tensor flat = torch.from_array(table._encoded))
            {
                _rows = Own(flat.view(encoder.RowCount, encoder.Width).to(device));
            }

            _heads = Own(new SegmentedSoftmax(encoder.Width, [.. encoder.Spans.Where(s => s.Kind == EncodedSpanKind.Softmax).Select(s => (s.Offset, s.Width))], device));
            ConditionSampler sampler = table.Conditions;
            _conditionWidth = sampler.Width;
            _blocks = [.. sampler.Blocks.Select(b => (b.Column.Offset, b.Offset, b.Width))];
            if (_blocks.Length == 0)
            {
                return;
            }

            _conditioned = Own(new SegmentedSoftmax(encoder.Width, [.. _blocks.Select(b => (b.RowOffset, b.Width))], device));

            // Per block and category: log(1 + count) to draw categories by, and where its rows start in one flat list.
            _maxCategories = _blocks.Max(b => b.Width);
            var logFrequency = new float[_blocks.Length * _maxCategories];
            var first = new long[logFrequency.Length];
            var count = new long[logFrequency.Length];
            var rows = new List<long>();
            for (int b = 0; b < _blocks.Length; b++)
            {
                for (int c = 0; c < _blocks[b].Width; c++)
                {
                    IReadOnlyList<int> with = sampler.RowsWith(b, c);
                    int at = (b * _maxCategories) + c;
                    logFrequency[at] = (float)Math.Log(1 + with.Count);
                    first[at] = rows.Count;
                    count[at] = with.Count;
                    rows.AddRange(with.Select(r => (long)r));
                }
            }

            _logFrequency = Own(torch.tensor(logFrequency, [_blocks.Length, _maxCategories], device: device));
            _firstRow = Own(torch.tensor(first, device: device));
            _rowCount = Own(torch.tensor(count, device: device));
            _rowsByCategory = Own(torch.tensor(rows.ToArray(), device: device));
            _blockOffsets = Own(torch.tensor(_blocks.Select(b => (long)b.ConditionOffset).ToArray(), device: device));
            // Per entry of the conditional vector: the encoded row's column that holds it, and its block.
            _conditionColumns = Own(torch.tensor(_blocks.SelectMany(b => Enumerable.Range(b.RowOffset, b.Width).Select(c => (long)c)).ToArray(), device: device));
            _conditionBlocks = Own(torch.tensor(_blocks.SelectMany((b, i) => Enumerable.Repeat((long)i, b.Width)).ToArray(), device: device));
        }

        private T Own<T>(T owned)
            where T : IDisposable
        {
            _owned.Add(owned);
            return owned;
        }

        /// <summary>
        /// CTGAN's step: conditions for the fakes by training-by-sampling, a real row with each condition's category, and
        /// the real rows shuffled with their conditions (so a pack of real rows is not the fakes' conditions in order).
        /// </summary>
        public override StepRows Draw(Tensor order, int step, int batchSize)
        {
            if (_blocks.Length == 0)
            {
                return new StepRows(_rows.index_select(0, torch.randint(_rows.shape[0], [batchSize], device: _rows.device)), null, null);
            }

            (Tensor conditions, Tensor flatCategory) = DrawConditions(batchSize);
            Tensor pick = (torch.rand(batchSize, device: _rows.device) * _rowCount!.index_select(0, flatCategory).to(ScalarType.Float32)).to(ScalarType.Int64);
            Tensor rows = _rowsByCategory!.index_select(0, _firstRow!.index_select(0, flatCategory).Plus(pick));
            Tensor shuffle = torch.randperm(batchSize, device: _rows.device);
            return new StepRows(_rows.index_select(0, rows.index_select(0, shuffle)), conditions.index_select(0, shuffle), conditions);
        }

        public override Tensor? Conditions(int size) => _blocks.Length == 0 ? null : DrawConditions(size).Vectors;

        /// <summary>
        /// As generation draws them (CTGAN's <c>sample_original_condvec</c>): per row a block uniformly and the category a
        /// training row drawn uniformly has in it, so each category comes at its training frequency.
        /// </summary>
        public override Tensor? StandingConditions(int size, torch.Generator random)
        {
            if (_blocks.Length == 0)
            {
                return null;
            }

            Tensor block = torch.randint(_blocks.Length, [size], generator: random, device: _rows.device);
            Tensor row = torch.randint(_rows.shape[0], [size], generator: random, device: _rows.device);
            Tensor categories = _rows.index_select(0, row).index_select(1, _conditionColumns!);
            return categories.mul(_conditionBlocks!.unsqueeze(0).eq(block.unsqueeze(1)).to(ScalarType.Float32));
        }

        /// <summary>Per row a block uniformly, a category of it by log-frequency: the one-hot vectors and each category's flat index.</summary>
        private (Tensor Vectors, Tensor FlatCategory) DrawConditions(int size)
        {
            Tensor block = torch.randint(_blocks.Length, [size], device: _rows.device);
            Tensor category = _logFrequency!.index_select(0, block).multinomial(1, replacement: true).squeeze(1);
            Tensor vectors = nn.functional.one_hot(_blockOffsets!.index_select(0, block).Plus(category), _conditionWidth).to(ScalarType.Float32);
            return (vectors, block.Times((long)_maxCategories).Plus(category));
        }

        /// <summary>CTGAN's heads: tanh on each α, Gumbel-softmax (τ 0.2) on each one-hot group.</summary>
        public override Tensor Activate(Tensor raw) => _heads.GumbelSoftmax(raw, _temperature);

        public override (Tensor Input, Tensor? Classes) ForDiscriminator(Tensor rows, Tensor? conditions)
            => (conditions is null ? rows : torch.cat([rows, conditions], 1), null);

        /// <summary>
        /// CTGAN's <c>_cond_loss</c>: for each row, the cross-entropy of the generator's logits for the conditioned column
        /// against the category asked for, summed over the batch and divided by its size. The conditional vector lists the
        /// discrete columns' categories in their encoded order, so it picks each row's log-probability of the category asked for.
        /// </summary>
        public override Tensor? GeneratorTerm(Tensor raw, Tensor? conditions)
            => conditions is null ? null : _conditioned!.LogSoftmax(raw).mul(conditions).sum().neg().DividedBy(raw.shape[0]);

        /// <summary>TVAE's reconstruction loss (<see cref="SegmentedSoftmax.Reconstruction"/>), before its loss factor.</summary>
        public override Tensor Reconstruction(Tensor raw, Tensor real, Tensor sigma) => _heads.Reconstruction(raw, real, sigma);

        public override void Dispose()
        {
            foreach (IDisposable owned in _owned)
            {
                owned.Dispose();
            }

            _temperature.Dispose();
        }
    }
}
