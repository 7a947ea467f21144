using Microsoft.ML.Gan.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>What a table's networks are built for: the width of an encoded row and of the conditional vector.</summary>
internal sealed record TableLayout(int RowWidth, int ConditionWidth);

/// <summary>
/// CTGAN's residual block (Xu et al. 2019; sdv-dev/CTGAN <c>Residual</c>): [ReLU(BatchNorm(Linear(x))); x], so every layer
/// also passes its input on and the last layer sees all of them.
/// </summary>
internal sealed class ResidualLayer : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;
    private readonly BatchNorm1dLayer bn;

    public ResidualLayer(int inputs, int outputs)
        : base(nameof(ResidualLayer))
    {
        fc = nn.Linear(inputs, outputs);
        bn = new BatchNorm1dLayer(outputs);
        RegisterComponents();
    }

    /// <summary>The block's linear layer (for the ONNX exporter).</summary>
    public Linear Fc => fc;

    /// <summary>The block's batch normalization (for the ONNX exporter).</summary>
    public BatchNorm1dLayer Norm => bn;

    public override Tensor forward(Tensor input) => torch.cat([nn.functional.relu(bn.forward(fc.forward(input))), input], 1);
}

/// <summary>
/// TVAE's decoder layer (sdv-dev/CTGAN <c>Decoder</c>): ReLU(Linear(x)), with no batch normalization and nothing passed on.
/// </summary>
internal sealed class LinearReluLayer : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;

    public LinearReluLayer(int inputs, int outputs)
        : base(nameof(LinearReluLayer))
    {
        fc = nn.Linear(inputs, outputs);
        RegisterComponents();
    }

    /// <summary>The layer's linear map (for the ONNX exporter).</summary>
    public Linear Fc => fc;

    public override Tensor forward(Tensor input) => nn.functional.relu(fc.forward(input));
}

/// <summary>
/// CTGAN's generator: [z; conditional vector] through residual blocks (256, 256 by default), then a linear layer to the
/// encoded row's width. The output is raw: the table's heads (tanh, Gumbel-softmax) are applied by the data kind
/// (<c>TableRows</c>), which also needs the raw logits for the condition's cross-entropy. Built without
/// residual blocks, the hidden layers are <see cref="LinearReluLayer"/>s instead: TVAE's decoder, which
/// generates, exports and saves the same way.
/// </summary>
internal sealed class CtganGenerator : GeneratorNetwork
{
    public CtganGenerator(int latentDimension, IReadOnlyList<int> hiddenSizes, TableLayout layout, bool residual = true)
        : base(nameof(CtganGenerator), latentDimension, classCount: 0)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int width = latentDimension + layout.ConditionWidth;
        for (int i = 0; i < hiddenSizes.Count; i++)
        {
            if (residual)
            {
                layers.Add(($"residual{i}", new ResidualLayer(width, hiddenSizes[i])));
                width += hiddenSizes[i];
            }
            else
            {
                layers.Add(($"hidden{i}", new LinearReluLayer(width, hiddenSizes[i])));
                width = hiddenSizes[i];
            }
        }

        layers.Add(("output", nn.Linear(width, layout.RowWidth)));
        Build(layers, labelEmbedding: null);
        Layout = layout;
    }

    public TableLayout Layout { get; }

    /// <summary>[z; conditional vector]; z alone for a table without discrete columns.</summary>
    protected override Tensor Input(Tensor z, Tensor? conditions) => conditions is null ? z : torch.cat([z, conditions], 1);
}

/// <summary>
/// CTGAN's critic with PacGAN (Lin et al. 2018): <see cref="PackSize"/> rows ([row; conditional vector] each) are judged
/// together as one input, so a generator that repeats itself is seen through; Linear → LeakyReLU(0.2) → Dropout(0.5) per
/// hidden layer (256, 256 by default), then one logit per pack.
/// </summary>
internal sealed class CtganDiscriminator : DiscriminatorNetwork
{
    private readonly ModuleList<Linear> hidden;
    private readonly Linear output;
    private readonly BernoulliDropout dropout;
    private readonly double _slope;
    private readonly int _inputWidth;

    public CtganDiscriminator(TableLayout layout, IReadOnlyList<int> hiddenSizes, int packSize, double dropoutProbability, double leakyReluSlope)
        : base(nameof(CtganDiscriminator))
    {
        PackSize = packSize;
        _inputWidth = (layout.RowWidth + layout.ConditionWidth) * packSize;
        int width = _inputWidth;
        hidden = new ModuleList<Linear>();
        foreach (int size in hiddenSizes)
        {
            hidden.Add(nn.Linear(width, size));
            width = size;
        }

        output = nn.Linear(width, 1);
        dropout = new BernoulliDropout(dropoutProbability);
        _slope = leakyReluSlope;
        RegisterComponents();
    }

    public override bool HasBatchStatistics => false;

    public override int PackSize { get; }

    /// <summary>Rows [N, row + condition], N a multiple of <see cref="PackSize"/>, to one logit per pack [N / pack, 1].</summary>
    public override DiscriminatorOutput forward(Tensor rows, Tensor? classes)
    {
        if (rows.shape[0] % PackSize != 0)
        {
            throw new ArgumentException($"The critic judges rows in packs of {PackSize}; got a batch of {rows.shape[0]}.", nameof(rows));
        }

        Tensor x = rows.reshape(-1, _inputWidth);
        foreach (Linear layer in hidden)
        {
            x = dropout.forward(layer.forward(x).LeakyRelu(_slope));
        }

        return new DiscriminatorOutput(output.forward(x), null);
    }
}
