using Microsoft.ML.Gan.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// A generator: latent vectors [N, z] (and, when conditional, class indices [N] as int64) to flat images
/// [N, C·H·W] in [-1, 1]. Each network also writes itself as ONNX, next to the code it must match.
/// </summary>
internal abstract class GeneratorNetwork : nn.Module<Tensor, Tensor?, Tensor>
{
    protected GeneratorNetwork(string name, int latentDimension, int classCount)
        : base(name)
    {
        LatentDimension = latentDimension;
        ClassCount = classCount;
    }

    public int LatentDimension { get; }

    /// <summary>Number of classes the generator is conditioned on; 0 when unconditional.</summary>
    public int ClassCount { get; }

    public bool IsConditional => ClassCount > 0;

    /// <summary>
    /// Emits the eval-mode forward pass: <paramref name="latent"/> is [N, z] float, <paramref name="classOneHot"/>
    /// [N, classes] float (null when unconditional); returns the name of the [N, C·H·W] tanh output.
    /// </summary>
    public abstract string ExportOnnx(OnnxGraph graph, string latent, string? classOneHot);

    /// <summary>z, or [z; embedding(class)] for a conditional generator.</summary>
    protected static Tensor Condition(Tensor latent, Tensor? classes, nn.Module<Tensor, Tensor>? embedding)
        => embedding is null ? latent : torch.cat([latent, embedding.forward(classes ?? throw new ArgumentNullException(nameof(classes), "A conditional generator needs class indices."))], 1);

    /// <summary>The ONNX form of <see cref="Condition"/>: one-hot × embedding table (a row lookup), then Concat.</summary>
    protected static string ExportCondition(OnnxGraph graph, string latent, string? classOneHot, TorchSharp.Modules.Embedding? embedding)
    {
        if (embedding is null)
        {
            return latent;
        }

        string table = graph.Constant("label_embedding", embedding.weight!);
        string embedded = graph.Node("MatMul", [classOneHot ?? throw new ArgumentNullException(nameof(classOneHot)), table], "label_embedded");
        return graph.Concat([latent, embedded], 1, "conditioned");
    }
}

/// <summary>What a discriminator says about a batch: one logit per image, and class logits for AC-GAN.</summary>
internal readonly record struct DiscriminatorOutput(Tensor Logit, Tensor? ClassLogits);

/// <summary>
/// A discriminator (critic): flat images [N, C·H·W] (and class indices [N] when conditional) to one
/// logit per image. Conditional discriminators use projection (Miyato and Koyama, 2018): the logit gets
/// the inner product of a class embedding with the penultimate features. With an auxiliary classifier
/// (Odena et al., 2017) they also return class logits.
/// </summary>
internal abstract class DiscriminatorNetwork : nn.Module<Tensor, Tensor?, DiscriminatorOutput>
{
    protected DiscriminatorNetwork(string name)
        : base(name)
    {
    }

    /// <summary>
    /// A class-embedding table for projection, initialised N(0, 0.02): with the default N(0, 1), the inner
    /// product over hundreds or thousands of features swamps the logit at the start and the discriminator
    /// saturates (seen here as a collapsed conditional DCGAN).
    /// </summary>
    protected static TorchSharp.Modules.Embedding ProjectionEmbedding(int classCount, int features)
    {
        TorchSharp.Modules.Embedding embedding = nn.Embedding(classCount, features);
        using (torch.no_grad())
        {
            nn.init.normal_(embedding.weight!, 0.0, 0.02);
        }

        return embedding;
    }

    /// <summary>True when outputs depend on the batch (batch normalization): real and fake must then be scored apart.</summary>
    public abstract bool HasBatchStatistics { get; }

    /// <summary>Logit from penultimate <paramref name="features"/>, plus projection and auxiliary heads when present.</summary>
    protected static DiscriminatorOutput Heads(Tensor features, Tensor? classes, nn.Module<Tensor, Tensor> output,
        nn.Module<Tensor, Tensor>? projection, nn.Module<Tensor, Tensor>? classifier)
    {
        Tensor logit = output.forward(features);
        if (projection is not null)
        {
            Tensor embedded = projection.forward(classes ?? throw new ArgumentNullException(nameof(classes), "A conditional discriminator needs class indices."));
            logit = logit + (embedded * features).sum(1, keepdim: true);
        }

        return new DiscriminatorOutput(logit, classifier?.forward(features));
    }
}
