namespace Microsoft.ML.Gan;

/// <summary>The distribution latent vectors are drawn from.</summary>
public enum LatentDistribution
{
    /// <summary>Each component uniform in [-1, 1) — the source article's choice.</summary>
    Uniform,

    /// <summary>Each component standard normal, N(0, 1).</summary>
    Normal,
}
