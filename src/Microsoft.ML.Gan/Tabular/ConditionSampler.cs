using System.Globalization;

namespace Microsoft.ML.Gan.Tabular;

/// <summary>
/// One discrete or key column's block of the conditional vector: <see cref="Width"/> entries from <see cref="Offset"/>,
/// one per category in the column's one-hot order (<see cref="DiscreteEncodedColumn.OneHotCategories"/>), so block entry
/// i and the column's encoded entry i stand for the same category.
/// </summary>
internal sealed record ConditionBlock(DiscreteEncodedColumn Column, int Offset)
{
    /// <summary>How many entries the block takes: one per category.</summary>
    public int Width => Column.Width;
}

/// <summary>
/// A batch of training conditions (CTGAN's <c>sample_condvec</c> with the rows <c>sample_data</c> picks for it). Row b
/// conditions on category <see cref="Categories"/>[b] of block <see cref="Blocks"/>[b] and is paired with training row
/// <see cref="Rows"/>[b], which has that category.
/// </summary>
/// <param name="Vectors">Batch × condition width, row-major: a one-hot in the chosen block, zeros elsewhere.</param>
/// <param name="Masks">Batch × number of blocks, row-major: a one-hot of the chosen block, what the generator's condition loss is masked by.</param>
/// <param name="Blocks">Each row's chosen block, an index into <see cref="ConditionSampler.Blocks"/>.</param>
/// <param name="Categories">Each row's chosen category, an index within its block.</param>
/// <param name="Rows">Each row's training row: one with the chosen category, uniform among those that have it.</param>
internal sealed record TrainingConditions(float[] Vectors, float[] Masks, int[] Blocks, int[] Categories, int[] Rows);

/// <summary>
/// CTGAN's conditional vector and training-by-sampling (Xu et al. 2019, §4.3; sdv-dev/CTGAN <c>DataSampler</c>). The
/// vector has a block per discrete or key column of a fitted <see cref="TableEncoder"/> (continuous columns are never
/// conditioned on). In training, each row picks a column uniformly and one of its categories with probability
/// ∝ log(1 + count), so rare categories are seen far more often than their frequency and the generator learns them; the
/// real row the discriminator sees with it has that category. At generation, categories are drawn at their training
/// frequency, so unconditioned output keeps the training distribution; <see cref="ConditionOn"/> fixes one value instead.
/// Draws come from one <see cref="Random"/> seeded once, so the same seed gives the same draws in the same order.
/// </summary>
internal sealed class ConditionSampler
{
    private readonly Random _random;
    private readonly int _rowCount;
    private readonly IReadOnlyList<EncodedColumn> _columns;

    /// <summary>Per block, per category: the training rows that have it (CTGAN's <c>_rid_by_cat_cols</c>).</summary>
    private readonly int[][][] _rowsByCategory;

    /// <summary>Per block: the running sums of log(1 + count) over its categories, for drawing by log-frequency.</summary>
    private readonly double[][] _cumulativeLogFrequency;

    /// <summary>A sampler over <paramref name="encoder"/>'s discrete and key columns and their training rows, drawing with <paramref name="seed"/>.</summary>
    public ConditionSampler(TableEncoder encoder, int seed)
    {
        _random = new Random(seed);
        _rowCount = encoder.RowCount;
        _columns = encoder.Columns;
        var blocks = new List<ConditionBlock>();
        foreach (DiscreteEncodedColumn column in encoder.Columns.OfType<DiscreteEncodedColumn>())
        {
            blocks.Add(new ConditionBlock(column, Width));
            Width += column.Width;
        }

        Blocks = blocks;
        _rowsByCategory = new int[blocks.Count][][];
        _cumulativeLogFrequency = new double[blocks.Count][];
        for (int b = 0; b < blocks.Count; b++)
        {
            DiscreteEncodedColumn column = blocks[b].Column;
            List<int>[] rows = [.. Enumerable.Range(0, column.Width).Select(_ => new List<int>())];
            for (int row = 0; row < _rowCount; row++)
            {
                rows[column.CategoryOf(row)].Add(row);
            }

            _rowsByCategory[b] = [.. rows.Select(r => r.ToArray())];
            _cumulativeLogFrequency[b] = new double[column.Width];
            double sum = 0;
            for (int category = 0; category < column.Width; category++)
            {
                sum += Math.Log(1 + rows[category].Count);
                _cumulativeLogFrequency[b][category] = sum;
            }
        }
    }

    /// <summary>The blocks, one per discrete or key column in the encoder's column order; empty when the table has none.</summary>
    public IReadOnlyList<ConditionBlock> Blocks { get; }

    /// <summary>How many floats a conditional vector takes: every block's categories; 0 when the table has no discrete or key column.</summary>
    public int Width { get; }

    /// <summary>The training rows whose column of block <paramref name="block"/> has category <paramref name="category"/>, in row order.</summary>
    public IReadOnlyList<int> RowsWith(int block, int category) => _rowsByCategory[block][category];

    /// <summary>
    /// <paramref name="batch"/> training conditions: per row a block chosen uniformly, a category of it with probability
    /// ∝ log(1 + its training count) (CTGAN's log-frequency; every category seen has a count of at least 1), and a
    /// training row with that category, uniform among them.
    /// </summary>
    public TrainingConditions SampleForTraining(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        CheckHasBlocks(nameof(SampleForTraining));
        var vectors = new float[batch * Width];
        var masks = new float[batch * Blocks.Count];
        var blocks = new int[batch];
        var categories = new int[batch];
        var rows = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            int block = _random.Next(Blocks.Count);
            double[] cumulative = _cumulativeLogFrequency[block];
            int category = Math.Min(UpperBound(cumulative, _random.NextDouble() * cumulative[^1]), cumulative.Length - 1);
            int[] withCategory = _rowsByCategory[block][category];
            blocks[i] = block;
            categories[i] = category;
            rows[i] = withCategory[_random.Next(withCategory.Length)];
            vectors[(i * Width) + Blocks[block].Offset + category] = 1;
            masks[(i * Blocks.Count) + block] = 1;
        }

        return new TrainingConditions(vectors, masks, blocks, categories, rows);
    }

    /// <summary>
    /// <paramref name="batch"/> conditional vectors for generation (batch × <see cref="Width"/>, row-major): per row a
    /// block chosen uniformly and the category of a training row chosen uniformly, so each category comes at its training
    /// frequency (CTGAN's <c>sample_original_condvec</c>).
    /// </summary>
    public float[] SampleForGeneration(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        CheckHasBlocks(nameof(SampleForGeneration));
        var vectors = new float[batch * Width];
        for (int i = 0; i < batch; i++)
        {
            ConditionBlock block = Blocks[_random.Next(Blocks.Count)];
            vectors[(i * Width) + block.Offset + block.Column.CategoryOf(_random.Next(_rowCount))] = 1;
        }

        return vectors;
    }

    /// <summary>
    /// The conditional vector (length <see cref="Width"/>) that asks for rows whose column <paramref name="column"/> is
    /// <paramref name="value"/>, such as only rows of a minority class. The value is written as messages show it
    /// (<see cref="ColumnCategory.Display"/>): text as is, Booleans as True or False, integers in invariant culture, keys
    /// by their key value where the column has them. Throws <see cref="ArgumentException"/>, naming the column, for a
    /// column the table lacks, a continuous column, and a value never seen in training (with the values that were).
    /// </summary>
    public float[] ConditionOn(string column, string value)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(value);
        int b = Blocks.ToList().FindIndex(block => block.Column.Column.Name == column);
        if (b < 0)
        {
            throw new ArgumentException(NotConditionable(column), nameof(column));
        }

        ConditionBlock block = Blocks[b];
        int category = block.Column.OneHotCategories.ToList().FindIndex(c => c.Display == value);
        if (category < 0)
        {
            IEnumerable<string> seen = block.Column.OneHotCategories.Take(10).Select(c => $"'{c.Display}'");
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"Column '{column}' never has the value '{value}' in the training rows, so a generator cannot be conditioned on it. " +
                    $"Its {block.Width} values seen: {string.Join(", ", seen)}{(block.Width > 10 ? ", …" : "")}."),
                nameof(value));
        }

        var vector = new float[Width];
        vector[block.Offset + category] = 1;
        return vector;
    }

    /// <summary>Why <paramref name="column"/> has no block: the table lacks it, or it is continuous.</summary>
    private string NotConditionable(string column)
    {
        string conditionable = Blocks.Count == 0
            ? "The table has no discrete or key column, so its conditional vector is empty (width 0) and nothing can be conditioned on."
            : $"Columns that can be: {string.Join(", ", Blocks.Select(block => $"'{block.Column.Column.Name}'"))}.";
        EncodedColumn? found = _columns.FirstOrDefault(c => c.Column.Name == column);
        string what = found switch
        {
            null => $"The table has no column '{column}' to condition on.",
            FrequencyEncodedColumn frequency => string.Create(CultureInfo.InvariantCulture,
                $"Column '{column}' has {frequency.Categories.Count} values, more than the {TableEncoder.MaxOneHotCategories} a conditional vector takes, so it is frequency-encoded and a generator is not conditioned on it."),
            _ => $"Column '{column}' is continuous; a generator is conditioned only on a discrete or key column's value.",
        };
        return $"{what} {conditionable}";
    }

    private void CheckHasBlocks(string method)
    {
        if (Blocks.Count == 0)
        {
            throw new InvalidOperationException(
                $"The table has no discrete or key column, so its conditional vector is empty (width 0) and {method} has nothing to draw; " +
                "train and generate without a condition.");
        }
    }

    /// <summary>The first index whose running sum exceeds <paramref name="x"/>: the category a uniform draw of x falls in.</summary>
    private static int UpperBound(double[] cumulative, double x)
    {
        int index = Array.BinarySearch(cumulative, x);
        return index >= 0 ? index + 1 : ~index;
    }
}
