namespace Microsoft.ML.Gan.Networks;

/// <summary>What the two networks are built from: the architecture with its settings, the latent size, the images and the classes.</summary>
internal sealed record NetworkPlan(GanNetworkOptions Architecture, int LatentDimension, ImageShape Shape, int ClassCount, bool AuxiliaryClassifier);
