using Microsoft.ML.Gan.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// A generator: latent vectors [N, z] (and, when conditional, class indices [N] as int64) to flat images
/// [N, C·H·W] in [-1, 1]. Built like pytorch/examples' DCGAN: an ordered stack of plain TorchSharp layers, run in
/// order, after an optional label stage (z, or [z; embedding(class)]). Architectures only choose the layers; the one
/// ONNX exporter (Onnx/GeneratorOnnxExporter.cs) walks the same stack, so no network writes its own ONNX.
/// </summary>
/// <remarks>
/// Layers are registered under their names in order and the label embedding last, so parameter names
/// (<c>fc1.weight</c>, …, <c>label_embedding.weight</c>) are the state-dict keys that checkpoints and PyTorch
/// files use, and parameter order is the order the optimizers and checkpoints see.
/// </remarks>
internal abstract class GeneratorNetwork : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly List<(string Name, nn.Module<Tensor, Tensor> Layer)> _layers = [];

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

    /// <summary>The layers in the order <see cref="forward"/> runs them.</summary>
    public IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Layer)> Layers => _layers;

    /// <summary>The classes × classes table whose row for the class is appended to z; null when unconditional.</summary>
    public TorchSharp.Modules.Embedding? LabelEmbedding { get; private set; }

    /// <summary>Registers the stack (in order) and then the label embedding; call once from the architecture's constructor.</summary>
    protected void Build(IEnumerable<(string Name, nn.Module<Tensor, Tensor> Layer)> layers, TorchSharp.Modules.Embedding? labelEmbedding)
    {
        if (_layers.Count > 0)
        {
            throw new InvalidOperationException("A generator's layers are built once.");
        }

        foreach ((string name, nn.Module<Tensor, Tensor> layer) in layers)
        {
            register_module(name, layer);
            _layers.Add((name, layer));
        }

        if ((labelEmbedding is null) != (ClassCount == 0))
        {
            throw new ArgumentException("A conditional generator needs a label embedding, and only a conditional one has it.", nameof(labelEmbedding));
        }

        if (labelEmbedding is not null)
        {
            register_module("label_embedding", labelEmbedding);
            LabelEmbedding = labelEmbedding;
        }
    }

    public override Tensor forward(Tensor z, Tensor? classes)
    {
        Tensor x = Input(z, classes);
        foreach ((_, nn.Module<Tensor, Tensor> layer) in _layers)
        {
            x = layer.forward(x);
        }

        return x;
    }

    /// <summary>What the first layer reads: z, or [z; embedding(class)] when conditional on classes.</summary>
    protected virtual Tensor Input(Tensor z, Tensor? classes) => LabelEmbedding is null
        ? z
        : torch.cat([z, LabelEmbedding.forward(classes ?? throw new ArgumentNullException(nameof(classes), "A conditional generator needs class indices."))], 1);

    /// <summary>This generator in eval mode on <paramref name="latents"/> (and classes), as [0, 1] images on the CPU.</summary>
    public IReadOnlyList<float[]> Render(Tensor latents, Tensor? classes, int pixels)
    {
        int count = (int)latents.shape[0];
        var all = new float[count * pixels];
        Render(latents, classes, all);
        return Enumerable.Range(0, count).Select(i => all.AsSpan(i * pixels, pixels).ToArray()).ToArray();
    }

    /// <summary>The same images, written one after another into <paramref name="destination"/> (count × pixels values).</summary>
    public void Render(Tensor latents, Tensor? classes, Span<float> destination)
    {
        if (latents.shape[0] == 0)
        {
            return;
        }

        using var scope = torch.NewDisposeScope();
        bool wasTraining = training;
        eval();
        using (torch.no_grad())
        {
            Tensor images = forward(latents, classes).Plus(1L).DividedBy(2L).cpu().contiguous();
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(images.bytes).CopyTo(destination);
        }

        train(wasTraining);
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

    /// <summary>How many rows make one logit (PacGAN); 1 when every row is judged alone.</summary>
    public virtual int PackSize => 1;

    /// <summary>Logit from penultimate <paramref name="features"/>, plus projection and auxiliary heads when present.</summary>
    protected static DiscriminatorOutput Heads(Tensor features, Tensor? classes, nn.Module<Tensor, Tensor> output,
        nn.Module<Tensor, Tensor>? projection, nn.Module<Tensor, Tensor>? classifier)
    {
        Tensor logit = output.forward(features);
        if (projection is not null)
        {
            Tensor embedded = projection.forward(classes ?? throw new ArgumentNullException(nameof(classes), "A conditional discriminator needs class indices."));
            logit = logit.Plus((embedded * features).sum(1, keepdim: true));
        }

        return new DiscriminatorOutput(logit, classifier?.forward(features));
    }
}
