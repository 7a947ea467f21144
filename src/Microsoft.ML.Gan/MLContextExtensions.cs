namespace Microsoft.ML.Gan;

/// <summary>Entry point: <c>mlContext.Gan()</c>.</summary>
/// <remarks>
/// An extension on <see cref="MLContext"/> rather than on <c>mlContext.Transforms</c>: third-party code
/// cannot reach the context behind a catalog (<c>CatalogUtils</c> and <c>IInternalCatalog</c> are internal).
/// </remarks>
public static class MLContextExtensions
{
    /// <summary>The GAN catalog of <paramref name="mlContext"/>: MNIST loading, training, latent sampling.</summary>
    public static GanCatalog Gan(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new GanCatalog(mlContext);
    }
}
