using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// Softmax over groups of columns of a row (a table's one-hot groups), all groups in a few operations however many there are:
/// the grouped columns are laid out as [groups × widest group] with −∞ in the unused places, so one softmax over the last
/// dimension normalises every group, and are gathered back. The other columns (a table's α values) go through tanh.
/// </summary>
internal sealed class SegmentedSoftmax : IDisposable
{
    private readonly Tensor _grouped;
    private readonly Tensor? _others;
    private readonly Tensor _restore;
    private readonly Tensor _padded;
    private readonly Tensor _unpadded;
    private readonly int _groups;
    private readonly int _widest;

    /// <param name="width">Columns in a row.</param>
    /// <param name="spans">The groups, each (first column, columns), in row order, not overlapping.</param>
    /// <param name="device">Where the index tensors live.</param>
    public SegmentedSoftmax(int width, IReadOnlyList<(int Offset, int Width)> spans, Device device)
    {
        _groups = spans.Count;
        _widest = spans.Count == 0 ? 1 : spans.Max(s => s.Width);
        long[] grouped = [.. spans.SelectMany(s => Enumerable.Range(s.Offset, s.Width).Select(c => (long)c))];
        var inGroup = new HashSet<long>(grouped);
        long[] others = [.. Enumerable.Range(0, width).Select(c => (long)c).Where(c => !inGroup.Contains(c))];

        // [others; grouped] back to row order.
        var restore = new long[width];
        long[] order = [.. others, .. grouped];
        for (int i = 0; i < order.Length; i++)
        {
            restore[order[i]] = i;
        }

        // Padded slot (g, k) reads grouped column k of group g, or the −∞ column appended after the grouped ones.
        var padded = new long[_groups * _widest];
        var unpadded = new long[grouped.Length];
        int start = 0;
        for (int g = 0; g < _groups; g++)
        {
            for (int k = 0; k < _widest; k++)
            {
                padded[(g * _widest) + k] = k < spans[g].Width ? start + k : grouped.Length;
            }

            for (int k = 0; k < spans[g].Width; k++)
            {
                unpadded[start + k] = (g * _widest) + k;
            }

            start += spans[g].Width;
        }

        _grouped = torch.tensor(grouped, device: device);
        _others = others.Length > 0 ? torch.tensor(others, device: device) : null;
        _restore = torch.tensor(restore, device: device);
        _padded = torch.tensor(padded, device: device);
        _unpadded = torch.tensor(unpadded, device: device);
    }

    /// <summary>
    /// The whole row: tanh on the other columns, and on each group softmax((x + g) / τ) with Gumbel noise g = −log(E),
    /// E ~ Exponential(1) (PyTorch's soft <c>gumbel_softmax</c>), in row order.
    /// </summary>
    public Tensor GumbelSoftmax(Tensor raw, Scalar temperature)
    {
        Tensor logits = raw.index_select(1, _grouped);
        Tensor gumbels = torch.empty_like(logits).exponential_().log().neg();
        Tensor probabilities = Softmax(logits.Plus(gumbels).div(temperature), log: false);
        Tensor all = _others is null ? probabilities : torch.cat([raw.index_select(1, _others).tanh(), probabilities], 1);
        return all.index_select(1, _restore);
    }

    /// <summary>The log-probabilities of the grouped columns under each group's softmax, [N, grouped columns] in group order.</summary>
    public Tensor LogSoftmax(Tensor raw) => Softmax(raw.index_select(1, _grouped), log: true);

    /// <summary>
    /// TVAE's reconstruction loss of <paramref name="target"/> rows from the decoder's <paramref name="raw"/> output, summed over
    /// the columns and averaged over the rows: each group's cross-entropy (its softmax against the one-hot target), and for each
    /// other column the Gaussian negative log-likelihood around tanh(raw) with the column's standard deviation
    /// <paramref name="sigma"/> (constant terms left out): (x − tanh(raw))² / 2σ² + log σ.
    /// </summary>
    public Tensor Reconstruction(Tensor raw, Tensor target, Tensor sigma)
    {
        long rows = raw.shape[0];
        Tensor loss = LogSoftmax(raw).mul(target.index_select(1, _grouped)).sum().neg();
        if (_others is not null)
        {
            Tensor deviation = sigma.index_select(0, _others);
            Tensor error = target.index_select(1, _others).Plus(raw.index_select(1, _others).tanh().neg());
            loss = loss.Plus(error.mul(error).div(deviation.mul(deviation).Times(2L)).sum()).Plus(deviation.log().sum().Times(rows));
        }

        return loss.DividedBy(rows);
    }

    private Tensor Softmax(Tensor grouped, bool log)
    {
        long rows = grouped.shape[0];
        Tensor withPad = torch.cat([grouped, ScalarArithmetic.Full(rows, double.NegativeInfinity, grouped.device).unsqueeze(1)], 1);
        Tensor padded = withPad.index_select(1, _padded).view(rows, _groups, _widest);
        Tensor normalised = log ? padded.log_softmax(2) : padded.softmax(2);
        return normalised.view(rows, _groups * _widest).index_select(1, _unpadded);
    }

    public void Dispose()
    {
        _grouped.Dispose();
        _others?.Dispose();
        _restore.Dispose();
        _padded.Dispose();
        _unpadded.Dispose();
    }
}
