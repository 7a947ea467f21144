using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Torch;

/// <summary>The coefficients of one Adam step, rounded to single precision as libtorch rounds its scalar arguments.</summary>
internal readonly record struct AdamCoefficients(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float SqrtBiasCorrection2, float Epsilon, float NegativeStepSize)
{
    public static AdamCoefficients For(double beta1, double beta2, double epsilon, double learningRate, long step)
    {
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        return new((float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2), (float)Math.Sqrt(biasCorrection2), (float)epsilon, (float)(-learningRate / biasCorrection1));
    }
}

/// <summary>
/// One Adam step over flat single-precision buffers on the CPU, with AVX2 and FMA, in two passes around libtorch's
/// square root. It computes what the libtorch operation sequence of <see cref="FlatAdam"/> computes, rounding for
/// rounding: m ← fma(g, 1 − β₁, m·β₁); v ← fma((1 − β₂)·g, g, v·β₂); r ← √v (libtorch's own square root: MKL's on
/// x64, which is not the correctly rounded one); p ← p + (−η·m) / (r / √c₂ + ε). Three passes over the buffers
/// and one libtorch call instead of seven of each.
/// </summary>
/// <remarks>
/// Whether the two agree bit for bit depends on libtorch's kernels on this processor (fused multiply-adds in
/// <c>add</c> and <c>addcmul</c>, the order of <c>addcdiv</c>), so <see cref="Available"/> compares them once per
/// process and <see cref="FlatAdam"/> keeps libtorch's operations wherever they differ: the kernel is only ever a
/// faster way to get the same weights.
/// </remarks>
internal static class AdamKernel
{
    private static readonly Lazy<bool> Agrees = new(AgreesWithLibTorch, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>True when the processor has AVX2 and FMA and the kernel reproduces libtorch's step bit for bit here.</summary>
    public static bool Available => Avx2.IsSupported && Fma.IsSupported && Agrees.Value;

    /// <summary>
    /// One step of every element of contiguous CPU float buffers of one length; <paramref name="parameters"/>,
    /// <paramref name="average"/> and <paramref name="averageSquare"/> are updated in place, <paramref name="root"/> is scratch.
    /// </summary>
    public static void Step(Tensor parameters, Tensor gradients, Tensor average, Tensor averageSquare, Tensor root, in AdamCoefficients c)
    {
        Moments(Elements(gradients), Elements(average), Elements(averageSquare), Elements(root), c);
        root.sqrt_();
        Update(Elements(parameters), Elements(average), Elements(root), c);
    }

    /// <summary>m and v in place, and a copy of v into <paramref name="root"/> for the square root.</summary>
    private static void Moments(ReadOnlySpan<float> gradients, Span<float> average, Span<float> averageSquare, Span<float> root, in AdamCoefficients c)
    {
        int length = gradients.Length;
        if (average.Length != length || averageSquare.Length != length || root.Length != length)
        {
            throw new ArgumentException("Adam's buffers must have one length.");
        }

        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float m = ref MemoryMarshal.GetReference(average);
        ref float v = ref MemoryMarshal.GetReference(averageSquare);
        ref float r = ref MemoryMarshal.GetReference(root);
        Vector256<float> beta1 = Vector256.Create(c.Beta1);
        Vector256<float> oneMinusBeta1 = Vector256.Create(c.OneMinusBeta1);
        Vector256<float> beta2 = Vector256.Create(c.Beta2);
        Vector256<float> oneMinusBeta2 = Vector256.Create(c.OneMinusBeta2);
        int i = 0;
        for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            nuint at = (nuint)i;
            Vector256<float> gradient = Vector256.LoadUnsafe(ref g, at);
            Fma.MultiplyAdd(gradient, oneMinusBeta1, Avx.Multiply(Vector256.LoadUnsafe(ref m, at), beta1)).StoreUnsafe(ref m, at);
            Vector256<float> newAverageSquare = Fma.MultiplyAdd(Avx.Multiply(oneMinusBeta2, gradient), gradient, Avx.Multiply(Vector256.LoadUnsafe(ref v, at), beta2));
            newAverageSquare.StoreUnsafe(ref v, at);
            newAverageSquare.StoreUnsafe(ref r, at);
        }

        for (; i < length; i++)
        {
            float gradient = gradients[i];
            average[i] = MathF.FusedMultiplyAdd(gradient, c.OneMinusBeta1, average[i] * c.Beta1);
            averageSquare[i] = root[i] = MathF.FusedMultiplyAdd(c.OneMinusBeta2 * gradient, gradient, averageSquare[i] * c.Beta2);
        }
    }

    /// <summary>p in place from m and √v.</summary>
    private static void Update(Span<float> parameters, ReadOnlySpan<float> average, ReadOnlySpan<float> root, in AdamCoefficients c)
    {
        int length = parameters.Length;
        if (average.Length != length || root.Length != length)
        {
            throw new ArgumentException("Adam's buffers must have one length.");
        }

        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float m = ref MemoryMarshal.GetReference(average);
        ref float r = ref MemoryMarshal.GetReference(root);
        Vector256<float> sqrtBiasCorrection2 = Vector256.Create(c.SqrtBiasCorrection2);
        Vector256<float> epsilon = Vector256.Create(c.Epsilon);
        Vector256<float> negativeStepSize = Vector256.Create(c.NegativeStepSize);
        int i = 0;
        for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            nuint at = (nuint)i;
            Vector256<float> denominator = Avx.Add(Avx.Divide(Vector256.LoadUnsafe(ref r, at), sqrtBiasCorrection2), epsilon);
            Avx.Add(Vector256.LoadUnsafe(ref p, at), Avx.Divide(Avx.Multiply(negativeStepSize, Vector256.LoadUnsafe(ref m, at)), denominator)).StoreUnsafe(ref p, at);
        }

        for (; i < length; i++)
        {
            float denominator = (root[i] / c.SqrtBiasCorrection2) + c.Epsilon;
            parameters[i] += c.NegativeStepSize * average[i] / denominator;
        }
    }

    /// <summary>libtorch's operations for the same step: the reference the kernel must match, and the fallback.</summary>
    public static void StepWithLibTorch(Tensor parameters, Tensor gradients, Tensor average, Tensor averageSquare, double beta1, double beta2, double epsilon, double learningRate, long step)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        using Scalar decay1 = beta1.ToScalar(), take1 = (1 - beta1).ToScalar(), decay2 = beta2.ToScalar(), take2 = (1 - beta2).ToScalar();
        using Scalar stepSize = (-learningRate / biasCorrection1).ToScalar();
        average.mul_(decay1).add_(gradients, take1);
        averageSquare.mul_(decay2).addcmul_(gradients, gradients, take2);
        Tensor denominator = averageSquare.sqrt().DividedBy(Math.Sqrt(biasCorrection2)).PlusInPlace(epsilon);
        parameters.addcdiv_(average, denominator, stepSize);
    }

    /// <summary>A contiguous CPU float tensor's elements, in place.</summary>
    public static Span<float> Elements(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);

    /// <summary>
    /// Runs a few steps both ways on random buffers whose length leaves a remainder after whole vectors (libtorch's
    /// scalar tail as well as its vector loop) and with gradients, moments and weights over many magnitudes.
    /// </summary>
    private static bool AgreesWithLibTorch()
    {
        if (!Avx2.IsSupported || !Fma.IsSupported)
        {
            return false;
        }

        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator(20261129);
        const int length = 4096 + 13;
        Tensor parameters = torch.randn(length, generator: generator);
        Tensor average = torch.randn(length, generator: generator).Times(1e-3);
        Tensor averageSquare = torch.rand(length, generator: generator).Times(1e-5);
        Tensor root = torch.empty(length);
        Tensor[] reference = [parameters.clone(), average.clone(), averageSquare.clone()];
        (double Beta1, double Beta2, double LearningRate)[] settings = [(0.5, 0.999, 2e-4), (0.9, 0.999, 1e-3), (0.0, 0.9, 1e-4), (0.5, 0.999, 2e-4)];
        for (int step = 1; step <= settings.Length; step++)
        {
            (double beta1, double beta2, double learningRate) = settings[step - 1];
            Tensor gradients = torch.randn(length, generator: generator).Times(Math.Pow(10, -step));
            StepWithLibTorch(reference[0], gradients, reference[1], reference[2], beta1, beta2, 1e-8, learningRate, step);
            Step(parameters, gradients, average, averageSquare, root, AdamCoefficients.For(beta1, beta2, 1e-8, learningRate, step));
        }

        // Bit patterns, not float equality: -0 and 0 must not pass for one another.
        return parameters.bytes.SequenceEqual(reference[0].bytes)
            && average.bytes.SequenceEqual(reference[1].bytes)
            && averageSquare.bytes.SequenceEqual(reference[2].bytes);
    }
}
