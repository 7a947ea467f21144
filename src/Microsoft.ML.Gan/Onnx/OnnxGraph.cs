using Google.Protobuf;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// A small builder for ONNX graphs (opset 17) over OnnxSharp's protobuf classes, with the few layers our
/// networks use. Every method returns the name of the value it produced; names are made unique.
/// Weights are copied from TorchSharp modules as float initializers (raw little-endian data).
/// </summary>
internal sealed class OnnxGraph
{
    public const int Opset = 17;
    private int _counter;

    public OnnxGraph()
        : this(new GraphProto { Name = "generator" })
    {
    }

    /// <summary>A builder that adds to an existing graph; hints should not clash with the graph's names.</summary>
    public OnnxGraph(GraphProto graph) => Graph = graph;

    public GraphProto Graph { get; }

    public void AddInput(string name, long[] dims, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
        => Graph.Input.Add(Value(name, dims, type));

    public void AddOutput(string name, long[] dims)
        => Graph.Output.Add(Value(name, dims, TensorProto.Types.DataType.Float));

    /// <summary>Columns [from, to) of the 2-D <paramref name="x"/>.</summary>
    public string Columns(string x, long from, long to, string hint)
        => Node("Slice", [x, Int64Constant(hint + "_from", from), Int64Constant(hint + "_to", to), Int64Constant(hint + "_axis", 1)], hint);

    /// <summary><paramref name="x"/> cast to the ONNX element type <paramref name="type"/>.</summary>
    public string Cast(string x, TensorProto.Types.DataType type, string hint)
        => Node("Cast", [x], hint, [Int("to", (long)type)]);

    /// <summary>The sum over axis 1 of a 2-D <paramref name="x"/>, kept as a column [N, 1].</summary>
    public string RowSum(string x, string hint)
        => Node("ReduceSum", [x, Int64Constant(hint + "_axes", 1)], hint, [Int("keepdims", 1)]);

    public static ValueInfoProto Value(string name, long[] dims, TensorProto.Types.DataType type)
    {
        var shape = new TensorShapeProto();
        foreach (long dim in dims)
        {
            shape.Dim.Add(dim < 0
                ? new TensorShapeProto.Types.Dimension { DimParam = "batch" }
                : new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    public string Constant(string hint, float[] values, params long[] dims) => RawConstant(hint, values, TensorProto.Types.DataType.Float, dims);

    public string DoubleConstant(string hint, double[] values, params long[] dims) => RawConstant(hint, values, TensorProto.Types.DataType.Double, dims);

    private string RawConstant<T>(string hint, T[] values, TensorProto.Types.DataType type, long[] dims)
        where T : unmanaged
    {
        string name = Unique(hint);
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        Graph.Initializer.Add(tensor);
        return name;
    }

    public string Constant(string hint, torch.Tensor value)
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor data = value.detach().cpu().contiguous();
        return Constant(hint, data.data<float>().ToArray(), data.shape);
    }

    public string Int64Constant(string hint, params long[] values)
    {
        string name = Unique(hint);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a node and returns its output, or writes to <paramref name="output"/> when given.</summary>
    public string Node(string op, string[] inputs, string hint, AttributeProto[]? attributes = null, string? output = null)
    {
        string name = output ?? Unique(hint);
        var node = new NodeProto { OpType = op, Name = Unique(hint + "_node") };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        if (attributes is not null)
        {
            node.Attribute.AddRange(attributes);
        }

        Graph.Node.Add(node);
        return name;
    }

    /// <summary>y = x Wᵀ + b, with Wᵀ stored as [in, out] so no Transpose node is needed.</summary>
    public string Linear(string x, Linear layer, string hint)
    {
        using var scope = torch.NewDisposeScope();
        string weight = Constant(hint + "_weight_t", layer.weight!.detach().t());
        string product = Node("MatMul", [x, weight], hint + "_matmul");
        return layer.bias is null ? product : Node("Add", [product, Constant(hint + "_bias", layer.bias)], hint);
    }

    /// <summary>
    /// A convolution (<paramref name="op"/> Conv) or transposed convolution (ConvTranspose); ONNX and PyTorch share their
    /// weight layouts ([out, in, kH, kW] and [in, out, kH, kW]).
    /// </summary>
    public string Convolution(string op, string x, torch.Tensor weight, torch.Tensor? bias, ConvolutionShape shape, string hint)
    {
        var inputs = new List<string> { x, Constant(hint + "_weight", weight) };
        if (bias is not null)
        {
            inputs.Add(Constant(hint + "_bias", bias));
        }

        return Node(op, [.. inputs], hint,
        [
            Ints("kernel_shape", shape.Kernel),
            Ints("strides", shape.Strides),
            Ints("pads", shape.Pads),
        ]);
    }

    /// <summary>Inference-mode batch normalization with the layer's running statistics.</summary>
    public string BatchNorm(string x, BatchNorm layer, string hint)
        => Node("BatchNormalization",
        [
            x,
            Constant(hint + "_scale", layer.weight!),
            Constant(hint + "_bias", layer.bias!),
            Constant(hint + "_mean", layer.running_mean!),
            Constant(hint + "_var", layer.running_var!),
        ], hint, [Float("epsilon", (float)layer.eps)]);

    public string Reshape(string x, string hint, params long[] shape)
        => Node("Reshape", [x, Int64Constant(hint + "_shape", shape)], hint);

    public string Concat(string[] inputs, long axis, string hint, string? output = null)
        => Node("Concat", inputs, hint, [Int("axis", axis)], output);

    public byte[] ToModel(string docString, IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "Microsoft.ML.Gan",
            ProducerVersion = typeof(OnnxGraph).Assembly.GetName().Version?.ToString() ?? "",
            DocString = docString,
            Graph = Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach ((string key, string value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model.ToByteArray();
    }

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private string Unique(string hint) => $"{hint}_{_counter++}";
}

/// <summary>Kernel size and strides per spatial axis, and ONNX pads (all begins, then all ends).</summary>
internal sealed record ConvolutionShape(long[] Kernel, long[] Strides, long[] Pads)
{
    /// <summary>Kernel, strides and pads of a convolution that ONNX expresses directly (no dilation, groups or output padding).</summary>
    /// <param name="conv">The convolution or transposed convolution.</param>
    /// <param name="name">How the error names the layer, such as "Generator layer 'conv1'".</param>
    /// <exception cref="NotSupportedException">The convolution uses dilation, groups, output padding or a padding mode.</exception>
    public static ConvolutionShape Of(TorchSharp.Modules.Convolution conv, string name)
    {
        bool plain = conv.dilation.All(d => d == 1) && conv.groups == 1 && conv.output_padding.All(p => p == 0) && conv.padding_mode == TorchSharp.PaddingModes.Zeros
                     && conv.padding_type is null;
        if (!plain)
        {
            throw new NotSupportedException(
                $"{name} ({conv.GetType().Name}) uses dilation, groups, output padding or a padding mode; the ONNX exporter handles plain zero-padded convolutions only.");
        }

        return new ConvolutionShape(conv.kernel_size, conv.stride, [.. conv.padding!, .. conv.padding!]);
    }
}
