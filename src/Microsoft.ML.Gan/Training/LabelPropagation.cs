using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// Label propagation over a nearest-neighbour graph of the training images (Zhou et al. 2004, "Learning with Local and
/// Global Consistency"), and its combination with a classifier's probabilities into the classes self-training learns.
/// </summary>
/// <remarks>
/// A classifier generalises from its labelled images by a decision boundary; a style of a digit that none of them shows
/// (a crossed 7 among ten plain ones) can fall on the wrong side of it and stay there. The graph follows the data instead:
/// crossed 7s are each other's neighbours, and the chain of them reaches the plain 7s through the half-crossed ones, so
/// labels spread along it. The images are slant-corrected first (the moment-based deskewing of handwriting recognition),
/// then compared by cosine similarity; each links to its <see cref="Neighbours"/> most similar, weighted by the similarity
/// cubed. Propagation alone scores below the GAN's classifier (it has no notion of a digit beyond pixel neighbourhoods), so
/// the two are multiplied, the classifier's probabilities tempered by <see cref="ClassifierWeight"/>: where the graph does
/// not object the classifier's class stands; where the graph says clearly otherwise, the graph's does. Which rows the
/// student learns stays the classifier's choice (those it is sure of): the graph's own confidence is low wherever digits
/// look alike in pixels (4, 7 and 9), so letting it choose would leave such digits out.
/// </remarks>
internal static class LabelPropagation
{
    /// <summary>Edges per image in the nearest-neighbour graph.</summary>
    internal const int Neighbours = 10;

    /// <summary>How much of each step's labels come from the neighbours (the rest from the row's own label, if it has one).</summary>
    internal const double Alpha = 0.99;

    /// <summary>Propagation steps; after 30 the labels have spread 30 edges along the graph.</summary>
    internal const int Iterations = 30;

    /// <summary>The exponent of the classifier's probabilities in the product with the propagated ones.</summary>
    internal const double ClassifierWeight = 0.1;

    private const int ChunkRows = 1000;
    private const double Tiny = 1e-12;

    /// <summary>
    /// [N, K] class probabilities from the labelled rows (<paramref name="classes"/> ≥ 0; −1 for unlabelled) spread over the
    /// graph of <paramref name="images"/> ([N, C·H·W], values in [0, 1]), each class's mass normalised to the same total
    /// before each row is normalised (so a class with more labelled rows does not win by numbers alone).
    /// </summary>
    public static Tensor Propagate(Tensor images, Tensor classes, ImageShape shape, int classCount, CancellationToken cancellationToken)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor features = Deskew(images, shape);
        Tensor norm = features.norm(1, keepdim: true).AtLeastValue(Tiny);
        features = features.div(norm);
        (Tensor neighbours, Tensor weights) = NearestNeighbours(features, Neighbours, cancellationToken);

        // W = A + Aᵀ for the directed k-nearest-neighbour matrix A; its degrees are A's row and column sums.
        long n = images.shape[0];
        Tensor flat = neighbours.flatten();
        Tensor degree = weights.sum(1).index_add(0, flat, weights.flatten(), ScalarArithmetic.Constant(1.0));
        Tensor scale = degree.AtLeastValue(Tiny).rsqrt().unsqueeze(1);

        Tensor known = classes.AtLeast(0L);
        Tensor seeds = nn.functional.one_hot(classes.ClampTo(0, classCount - 1), classCount).to_type(ScalarType.Float32)
            .mul(known.unsqueeze(1).to_type(ScalarType.Float32));
        Tensor keep = seeds.Times(1 - Alpha);
        Tensor outgoingWeights = weights.unsqueeze(2);              // [N, k, 1]
        Tensor incomingWeights = weights.flatten().unsqueeze(1);    // [N·k, 1]
        Tensor labels = seeds;
        for (int i = 0; i < Iterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Tensor previous = labels;
            using (var step = torch.NewDisposeScope())   // the step's [N·k, K] gathers go as soon as it is done
            {
                Tensor spread = previous.mul(scale);
                Tensor outgoing = spread.index_select(0, flat).view(n, Neighbours, classCount).mul(outgoingWeights).sum(1);
                Tensor incoming = torch.zeros_like(spread).index_add(0, flat, spread.repeat_interleave(Neighbours, 0).mul(incomingWeights), ScalarArithmetic.Constant(1.0));
                labels = outgoing.Plus(incoming).mul(scale).Times(Alpha).Plus(keep).MoveToOuterDisposeScope();
            }

            // Only the newest labels are kept (the first step's previous labels are the seeds, still in use): thirty steps'
            // [N, K] would otherwise stay until the method returns.
            if (i > 0)
            {
                previous.Dispose();
            }
        }

        labels = labels.div(labels.sum(0, keepdim: true).AtLeastValue(Tiny));
        Tensor rows = labels.sum(1, keepdim: true);
        Tensor uniform = ScalarArithmetic.FullLike(labels, 1.0 / classCount);
        return torch.where(rows.gt(ScalarArithmetic.Constant(0.0)), labels.div(rows.AtLeastValue(Tiny)), uniform).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Each row's class [N] by both sources: the most probable under classifier^<see cref="ClassifierWeight"/> · propagated,
    /// taken in logs (ClassifierWeight · log classifier + log propagated).
    /// </summary>
    public static Tensor Classes(Tensor classifier, Tensor propagated)
    {
        using var scope = torch.NewDisposeScope();
        Tensor logits = classifier.AtLeastValue(Tiny).log().Times(ClassifierWeight).Plus(propagated.AtLeastValue(Tiny).log());
        return logits.argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Each image ([N, C·H·W]) moved so its centre of mass is the image's centre and sheared along x so its main axis is
    /// upright: x' = x + a·(y − ȳ) with a = cov(x, y) / var(y) of its ink (the channels' mean), flattened as it came.
    /// A blank image stays where it is.
    /// </summary>
    public static Tensor Deskew(Tensor images, ImageShape shape)
    {
        using var scope = torch.NewDisposeScope();
        long n = images.shape[0];
        (int h, int w) = (shape.Height, shape.Width);
        Tensor x = images.view(n, shape.Channels, h, w);
        Tensor ink = x.mean([1L]);                                            // [N, H, W]
        Tensor ys = ScalarArithmetic.Range(h, images.device).to_type(ScalarType.Float32).view(1, h, 1);
        Tensor xs = ScalarArithmetic.Range(w, images.device).to_type(ScalarType.Float32).view(1, 1, w);
        Tensor total = ink.sum([1L, 2L]);
        Tensor blank = total.le(ScalarArithmetic.Constant(Tiny));
        Tensor mass = total.AtLeastValue(Tiny);
        Tensor centreY = torch.where(blank, ScalarArithmetic.FullLike(total, (h - 1) / 2.0), ink.mul(ys).sum([1L, 2L]).div(mass));
        Tensor centreX = torch.where(blank, ScalarArithmetic.FullLike(total, (w - 1) / 2.0), ink.mul(xs).sum([1L, 2L]).div(mass));
        Tensor dy = ys.sub(centreY.view(n, 1, 1));
        Tensor dx = xs.sub(centreX.view(n, 1, 1));
        Tensor varianceY = ink.mul(dy).mul(dy).sum([1L, 2L]).div(mass);
        Tensor covariance = ink.mul(dx).mul(dy).sum([1L, 2L]).div(mass);
        Tensor slant = torch.where(varianceY.gt(ScalarArithmetic.Constant(Tiny)), covariance.div(varianceY.AtLeastValue(Tiny)), torch.zeros_like(varianceY));

        // Where each output pixel samples the input, in affine_grid's coordinates (−1 to 1 across, a pixel 2 / side wide).
        Tensor one = torch.ones_like(slant);
        Tensor zero = torch.zeros_like(slant);
        Tensor theta = torch.stack(
        [
            torch.stack([one, slant.Times((double)h / w), centreX.Minus((w - 1) / 2.0).Times(2.0 / w)], 1),
            torch.stack([zero, one, centreY.Minus((h - 1) / 2.0).Times(2.0 / h)], 1),
        ], 1);
        Tensor grid = nn.functional.affine_grid(theta, [n, shape.Channels, h, w], align_corners: false);
        return nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false)
            .flatten(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// For each row of <paramref name="features"/> (unit length), the <paramref name="count"/> other rows most similar by
    /// dot product and their similarities cubed (negative ones as 0): [N, count] indices and [N, count] weights.
    /// </summary>
    public static (Tensor Neighbours, Tensor Weights) NearestNeighbours(Tensor features, int count, CancellationToken cancellationToken)
    {
        long n = features.shape[0];
        int k = (int)Math.Min(count, n - 1);
        var indices = new List<Tensor>();
        var weights = new List<Tensor>();
        using (var scope = torch.NewDisposeScope())
        {
            Tensor transposed = features.t();
            for (long start = 0; start < n; start += ChunkRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long rows = Math.Min(ChunkRows, n - start);
                using var chunkScope = torch.NewDisposeScope();
                Tensor similarity = features.narrow(0, start, rows).matmul(transposed);
                // A row is not its own neighbour.
                Tensor self = ScalarArithmetic.Range(rows, features.device).Plus(start).unsqueeze(1);
                similarity.scatter_(1, self, ScalarArithmetic.FullLike(self, -2.0).to_type(similarity.dtype));
                (Tensor values, Tensor index) = similarity.topk(k, 1);
                weights.Add(values.AtLeastValue(0.0).Power(3).MoveToOuterDisposeScope());
                indices.Add(index.MoveToOuterDisposeScope());
            }

            Tensor allIndices = torch.cat(indices, 0).MoveToOuterDisposeScope();
            Tensor allWeights = torch.cat(weights, 0).MoveToOuterDisposeScope();
            return (allIndices, allWeights);
        }
    }
}
