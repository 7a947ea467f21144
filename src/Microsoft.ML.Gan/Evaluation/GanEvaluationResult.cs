using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Gan;

/// <summary>
/// What <c>mlContext.Gan().Evaluate</c> measured. FID and KID are computed on the 128 penultimate features of
/// the project's MNIST LeNet (<see cref="FeatureNetwork"/>), so they compare only with numbers from the same
/// network; report them next to the floor (two real samples).
/// </summary>
public sealed record GanEvaluationResult
{
    /// <summary>The feature network the distances use.</summary>
    public string FeatureNetwork { get; init; } = "mnist-lenet-128";

    /// <summary>Generated images evaluated.</summary>
    public int GeneratedCount { get; init; }

    /// <summary>Real images compared with.</summary>
    public int RealCount { get; init; }

    /// <summary>Fréchet distance between generated and real features; null when too few samples for a stable covariance.</summary>
    public double? Fid { get; init; }

    /// <summary>Kernel distance (unbiased MMD², cubic kernel), mean over the subsets.</summary>
    public double Kid { get; init; }

    /// <summary>Standard deviation of KID over the subsets.</summary>
    public double KidStandardDeviation { get; init; }

    /// <summary>FID between the floor reference and the real data (two real samples); null without a floor reference.</summary>
    public double? FloorFid { get; init; }

    /// <summary>KID between the floor reference and the real data; null without a floor reference.</summary>
    public double? FloorKid { get; init; }

    /// <summary>Share of generated images the feature network assigns to each digit 0–9.</summary>
    public double[] ClassHistogram { get; init; } = [];

    /// <summary>Entropy of <see cref="ClassHistogram"/> in bits (log₂ 10 ≈ 3.32 when balanced; low means mode collapse).</summary>
    public double ClassEntropyBits { get; init; }

    /// <summary>Mean of the feature network's top softmax probability on the generated images.</summary>
    public double MeanConfidence { get; init; }

    /// <summary>Conditional generators: share of images classified as their conditioning label; null otherwise.</summary>
    public double? LabelAgreement { get; init; }

    /// <summary>
    /// Conditional generators: accuracy on the real data of a classifier trained on <see cref="CasTrainingRows"/>
    /// generated rows only (classification accuracy score); null otherwise.
    /// </summary>
    public double? ClassificationAccuracyScore { get; init; }

    /// <summary>Generated rows the CAS classifier was trained on.</summary>
    public int? CasTrainingRows { get; init; }

    /// <summary>The LbfgsMaximumEntropy CAS recipe trained on as many real rows (of the floor reference): the ceiling; null without labelled floor rows.</summary>
    public double? CasCeiling { get; init; }

    /// <summary>
    /// Conditional generators: accuracy on the real data of a <see cref="LeNetClassifier"/> CNN trained from scratch on
    /// <see cref="CasTrainingRows"/> generated rows only; null when off.
    /// </summary>
    public double? CnnClassificationAccuracyScore { get; init; }

    /// <summary>The same CNN recipe trained on as many real rows (of the floor reference): the ceiling of <see cref="CnnClassificationAccuracyScore"/>.</summary>
    public double? CnnCasCeiling { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>The result as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a result written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not such a result.</exception>
    public static GanEvaluationResult FromJson(string json)
        => JsonSerializer.Deserialize<GanEvaluationResult>(json, Json) ?? throw new JsonException("The JSON holds no evaluation result.");

    /// <inheritdoc />
    public bool Equals(GanEvaluationResult? other)
        => other is not null && FeatureNetwork == other.FeatureNetwork && GeneratedCount == other.GeneratedCount && RealCount == other.RealCount
            && Fid == other.Fid && Kid == other.Kid && KidStandardDeviation == other.KidStandardDeviation && FloorFid == other.FloorFid
            && FloorKid == other.FloorKid && ClassHistogram.SequenceEqual(other.ClassHistogram) && ClassEntropyBits == other.ClassEntropyBits
            && MeanConfidence == other.MeanConfidence && LabelAgreement == other.LabelAgreement
            && ClassificationAccuracyScore == other.ClassificationAccuracyScore && CasTrainingRows == other.CasTrainingRows
            && CasCeiling == other.CasCeiling && CnnClassificationAccuracyScore == other.CnnClassificationAccuracyScore && CnnCasCeiling == other.CnnCasCeiling;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Fid, Kid, ClassEntropyBits, GeneratedCount);
}
