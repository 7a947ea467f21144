using Microsoft.ML.Gan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// A conditional variational autoencoder for table rows, TVAE's way (Xu et al. 2019, the paper that also gives CTGAN;
/// sdv-dev/CTGAN's <c>TVAE</c>), conditioned like CTGAN: the encoder reads [row; conditional vector] and gives the mean and
/// log-variance of a Gaussian posterior over the latent vector; the decoder is <see cref="CtganGenerator"/> (so generation,
/// its ONNX graph and saving are the GAN's) with TVAE's Linear → ReLU layers (or CTGAN's residual blocks, with
/// <see cref="ResidualDecoder"/>), reading [z; conditional vector]. The loss (<c>TableRows</c>) is TVAE's:
/// <see cref="LossFactor"/> × (a Gaussian likelihood of each α with a learned σ around tanh of the decoder's output, plus the
/// cross-entropy of each one-hot group) + the KL divergence to N(0, I).
/// </summary>
internal sealed record TvaeNetworkOptions
{
    /// <summary>Width of each hidden layer of the decoder. sdv-dev/CTGAN's TVAE decompresses through (128, 128).</summary>
    public int DecoderWidth { get; init; } = 128;

    public int DecoderLayers { get; init; } = 2;

    /// <summary>CTGAN's residual blocks with batch normalization as the decoder's hidden layers, instead of TVAE's Linear → ReLU.</summary>
    public bool ResidualDecoder { get; init; }

    /// <summary>Width of each hidden layer of the encoder (Linear → ReLU). TVAE's compress_dims: (128, 128).</summary>
    public int EncoderWidth { get; init; } = 128;

    public int EncoderLayers { get; init; } = 2;

    /// <summary>Weight of the reconstruction against the KL term: TVAE's loss_factor, 2.</summary>
    public float LossFactor { get; init; } = 2f;

    public IReadOnlyList<int> DecoderSizes => Enumerable.Repeat(DecoderWidth, DecoderLayers).ToArray();

    public IReadOnlyList<int> EncoderSizes => Enumerable.Repeat(EncoderWidth, EncoderLayers).ToArray();
}

/// <summary>
/// TVAE's encoder, in the discriminator's place of the training state (so checkpoints, exact resume and the optimizers serve
/// it unchanged): [row; conditional vector] → (Linear → ReLU) per hidden layer → [μ; log σ²] of the latent posterior, as one
/// output of twice the latent width. It also holds the decoder's learned standard deviations (<see cref="Sigma"/>), one per
/// encoded column as TVAE has them, which only training uses: the saved model is the decoder alone.
/// </summary>
internal sealed class TvaeEncoder : DiscriminatorNetwork
{
    /// <summary>TVAE's bounds on σ after every step, and its starting value.</summary>
    public const double MinSigma = 0.01, MaxSigma = 1.0, InitialSigma = 0.1;

    private readonly ModuleList<Linear> hidden;
    private readonly Linear output;
    private readonly Parameter sigma;

    public TvaeEncoder(TableLayout layout, IReadOnlyList<int> hiddenSizes, int latentDimension)
        : base(nameof(TvaeEncoder))
    {
        int width = layout.RowWidth + layout.ConditionWidth;
        hidden = new ModuleList<Linear>();
        foreach (int size in hiddenSizes)
        {
            hidden.Add(nn.Linear(width, size));
            width = size;
        }

        output = nn.Linear(width, 2L * latentDimension);
        using (Tensor start = ScalarArithmetic.Full(layout.RowWidth, InitialSigma))
        {
            sigma = new Parameter(start.clone());
        }

        LatentDimension = latentDimension;
        RegisterComponents();
    }

    public int LatentDimension { get; }

    /// <summary>The decoder's standard deviation per encoded column (only the α columns' are used).</summary>
    public Parameter Sigma => sigma;

    public override bool HasBatchStatistics => false;

    /// <summary>[row; conditional vector] [N, row + condition] to [μ; log σ²] [N, 2 × latent] (in <see cref="DiscriminatorOutput.Logit"/>).</summary>
    public override DiscriminatorOutput forward(Tensor rows, Tensor? classes)
    {
        Tensor x = rows;
        foreach (Linear layer in hidden)
        {
            x = nn.functional.relu(layer.forward(x));
        }

        return new DiscriminatorOutput(output.forward(x), null);
    }

    /// <summary>Keeps σ in TVAE's bounds, as it does after every step.</summary>
    public void ClampSigma()
    {
        using var noGrad = torch.no_grad();
        sigma.ClampInPlace(MinSigma, MaxSigma);
    }
}
