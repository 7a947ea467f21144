using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// Spectral normalization (Miyato et al., ICLR 2018): a layer's weight is divided by an estimate of its largest
/// singular value σ, kept by one power iteration per training forward pass on the vector <c>u</c> (a buffer, so
/// checkpoints restore it). As in PyTorch's <c>spectral_norm</c>, u and v are constants for the gradient; σ is not.
/// Used by the discriminator only, which is never exported.
/// </summary>
internal static class SpectralNorm
{
    public static Tensor InitialU(long rows)
    {
        using var noGrad = torch.no_grad();
        return nn.functional.normalize(torch.randn(rows), 2, 0, 1e-12);
    }

    /// <summary>W / σ(W), W viewed as [rows, everything else]; in training mode u moves one power-iteration step first.</summary>
    public static Tensor Normalized(Tensor weight, Tensor u, bool training)
    {
        Tensor matrix = weight.view(weight.shape[0], -1);
        Tensor v;
        using (torch.no_grad())
        {
            v = nn.functional.normalize(matrix.t().mv(u), 2, 0, 1e-12);
            if (training)
            {
                u.copy_(nn.functional.normalize(matrix.mv(v), 2, 0, 1e-12));
                v = nn.functional.normalize(matrix.t().mv(u), 2, 0, 1e-12);
            }
        }

        // σ's gradient needs the u it was computed with. The next training pass moves the buffer in place (a second pass
        // before backward, such as the gradient penalty's, made autograd fail), so σ takes a copy, as PyTorch's spectral_norm does.
        Tensor sigma = (training ? u.clone() : u).dot(matrix.mv(v));
        return weight / sigma;
    }
}

/// <summary>Conv2d with a spectrally normalized weight (<see cref="SpectralNorm"/>).</summary>
internal sealed class SNConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly Tensor u;
    private readonly long _stride;
    private readonly long _padding;

    public SNConv2d(long inChannels, long outChannels, long kernel, long stride, long padding, bool hasBias = true)
        : base(nameof(SNConv2d))
    {
        weight = new Parameter(torch.empty(outChannels, inChannels, kernel, kernel));
        bias = hasBias ? new Parameter(torch.zeros(outChannels)) : null;
        u = SpectralNorm.InitialU(outChannels);
        _stride = stride;
        _padding = padding;
        using (torch.no_grad())
        {
            nn.init.normal_(weight, 0.0, 0.02);
        }

        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
        => nn.functional.conv2d(input, SpectralNorm.Normalized(weight, u, training), bias, [_stride, _stride], [_padding, _padding], [1, 1], 1);
}

/// <summary>Linear with a spectrally normalized weight (<see cref="SpectralNorm"/>).</summary>
internal sealed class SNLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor u;

    public SNLinear(long inFeatures, long outFeatures)
        : base(nameof(SNLinear))
    {
        weight = new Parameter(torch.empty(outFeatures, inFeatures));
        bias = new Parameter(torch.zeros(outFeatures));
        u = SpectralNorm.InitialU(outFeatures);
        using (torch.no_grad())
        {
            nn.init.normal_(weight, 0.0, 0.02);
        }

        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => nn.functional.linear(input, SpectralNorm.Normalized(weight, u, training), bias);
}

/// <summary>A class-embedding table (rows are classes) with a spectrally normalized weight, for the projection term.</summary>
internal sealed class SNEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Tensor u;

    public SNEmbedding(long classes, long features)
        : base(nameof(SNEmbedding))
    {
        weight = new Parameter(torch.empty(classes, features));
        u = SpectralNorm.InitialU(classes);
        using (torch.no_grad())
        {
            nn.init.normal_(weight, 0.0, 0.02);
        }

        RegisterComponents();
    }

    public override Tensor forward(Tensor classes) => SpectralNorm.Normalized(weight, u, training).index_select(0, classes);
}
