using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Torch;

/// <summary>
/// Tensor arithmetic with numbers, each number an explicit <see cref="Scalar"/> kept alive until libtorch has read it.
/// </summary>
/// <remarks>
/// In TorchSharp 0.107 a number passed where a <see cref="Scalar"/> is expected (<c>t * 0.5</c>, <c>t.add(u)</c>, which passes
/// alpha = 1, <c>leaky_relu(t, 0.2)</c>, <c>arange(n)</c>) becomes a Scalar that only its finalizer releases. Once its native
/// handle has been read the JIT may consider it dead, so a garbage collection during the native call can free it while libtorch
/// still reads it: "Expected false to be true", "Unknown scalar type", a SIGSEGV, or, when the freed memory is reused, a wrong
/// number (NaN losses seen here). These methods do what the operators do, call for call (so every result keeps its bits),
/// with Scalars held by a <c>using</c> across the call or, for the constant 1, rooted for the life of the process.
/// <c>test/…/Layout/ExplicitScalarTests</c> keeps implicit Scalars out of the sources.
/// </remarks>
internal static class ScalarArithmetic
{
    /// <summary>1 as an Int64 Scalar, the alpha TorchSharp's own <c>add(Tensor)</c> passes; a static field roots it for good.</summary>
    private static readonly Scalar One = 1L.ToScalar();

    private static readonly Scalar Zero = 0L.ToScalar();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<double, Scalar> Constants = new();

    /// <summary><c>left + right</c>.</summary>
    public static Tensor Plus(this Tensor left, Tensor right) => left.add(right, One);

    /// <summary><c>left + right</c>.</summary>
    public static Tensor Plus(this Tensor left, double right)
    {
        using Scalar value = right.ToScalar();
        return left.add(value, One);
    }

    /// <summary><c>left + right</c>.</summary>
    public static Tensor Plus(this Tensor left, long right)
    {
        using Scalar value = right.ToScalar();
        return left.add(value, One);
    }

    /// <summary><c>left - right</c>.</summary>
    public static Tensor Minus(this Tensor left, double right)
    {
        using Scalar value = right.ToScalar();
        return left.sub(value);
    }

    /// <summary><c>left - right</c>.</summary>
    public static Tensor Minus(this Tensor left, long right)
    {
        using Scalar value = right.ToScalar();
        return left.sub(value);
    }

    /// <summary><c>left - right</c> for a number on the left, as TorchSharp computes it: <c>(-right) + left</c>.</summary>
    public static Tensor SubtractedFrom(this Tensor right, double left)
    {
        using Scalar value = left.ToScalar();
        using Tensor negated = right.negative();
        return negated.add(value, One);
    }

    /// <summary><c>left * right</c>.</summary>
    public static Tensor Times(this Tensor left, double right)
    {
        using Scalar value = right.ToScalar();
        return left.mul(value);
    }

    /// <summary><c>left * right</c>.</summary>
    public static Tensor Times(this Tensor left, long right)
    {
        using Scalar value = right.ToScalar();
        return left.mul(value);
    }

    /// <summary><c>left / right</c>.</summary>
    public static Tensor DividedBy(this Tensor left, long right)
    {
        using Scalar value = right.ToScalar();
        return left.div(value);
    }

    /// <summary><c>left / right</c>.</summary>
    public static Tensor DividedBy(this Tensor left, double right)
    {
        using Scalar value = right.ToScalar();
        return left.div(value);
    }

    /// <summary><c>tensor.pow(exponent)</c>.</summary>
    public static Tensor Power(this Tensor tensor, long exponent)
    {
        using Scalar value = exponent.ToScalar();
        return tensor.pow(value);
    }

    /// <summary><c>target += other</c>, in place.</summary>
    public static Tensor PlusInPlace(this Tensor target, Tensor other) => target.add_(other, One);

    /// <summary><c>target += alpha · other</c>, in place.</summary>
    public static Tensor PlusInPlace(this Tensor target, Tensor other, double alpha)
    {
        using Scalar value = alpha.ToScalar();
        return target.add_(other, value);
    }

    /// <summary><c>target += value</c>, in place.</summary>
    public static Tensor PlusInPlace(this Tensor target, long value)
    {
        using Scalar scalar = value.ToScalar();
        return target.add_(scalar, One);
    }

    /// <summary><c>target += value</c>, in place.</summary>
    public static Tensor PlusInPlace(this Tensor target, double value)
    {
        using Scalar scalar = value.ToScalar();
        return target.add_(scalar, One);
    }

    /// <summary><c>target /= value</c>, in place.</summary>
    public static Tensor DividedByInPlace(this Tensor target, double value)
    {
        using Scalar scalar = value.ToScalar();
        return target.div_(scalar);
    }

    /// <summary><c>target *= value</c>, in place.</summary>
    public static Tensor TimesInPlace(this Tensor target, double value)
    {
        using Scalar scalar = value.ToScalar();
        return target.mul_(scalar);
    }

    /// <summary>Element-wise <c>tensor &gt;= value</c>.</summary>
    public static Tensor AtLeast(this Tensor tensor, long value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.ge(scalar);
    }

    /// <summary>1 where <c>tensor &gt;= value</c>, 0 elsewhere, in the tensor's own type (a mask to multiply by).</summary>
    public static Tensor OnesWhereAtLeast(this Tensor tensor, double value)
    {
        using Scalar scalar = value.ToScalar();
        using Tensor mask = tensor.ge(scalar);
        return mask.to_type(tensor.dtype);
    }

    /// <summary>Element-wise <c>tensor &lt; value</c>.</summary>
    public static Tensor Below(this Tensor tensor, long value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.lt(scalar);
    }

    /// <summary><c>tensor.remainder(divisor)</c>.</summary>
    public static Tensor Remainder(this Tensor tensor, long divisor)
    {
        using Scalar value = divisor.ToScalar();
        return tensor.remainder(value);
    }

    /// <summary><c>tensor.clamp(min, max)</c>.</summary>
    public static Tensor ClampTo(this Tensor tensor, long min, long max)
    {
        using Scalar low = min.ToScalar();
        using Scalar high = max.ToScalar();
        return tensor.clamp(low, high);
    }

    /// <summary><c>tensor.clamp_(min, max)</c>, in place.</summary>
    public static Tensor ClampInPlace(this Tensor tensor, double min, double max)
    {
        using Scalar low = min.ToScalar();
        using Scalar high = max.ToScalar();
        return tensor.clamp_(low, high);
    }

    /// <summary><c>tensor.clamp_min(min)</c>.</summary>
    public static Tensor AtLeastValue(this Tensor tensor, double min)
    {
        using Scalar low = min.ToScalar();
        return tensor.clamp_min(low);
    }

    /// <summary>
    /// A Scalar for a value used at every step (a network's slope): made once per value, then rooted for the life of the process.
    /// Only for the handful of values a configuration fixes, never for values that change as training runs.
    /// </summary>
    public static Scalar Constant(double value) => Constants.GetOrAdd(value, v => v.ToScalar());

    /// <summary>LeakyReLU (<c>nn.functional.leaky_relu</c>) with a slope of <see cref="Constant"/>.</summary>
    public static Tensor LeakyRelu(this Tensor tensor, double slope) => tensor.leaky_relu(Constant(slope));

    /// <summary><c>torch.arange(count)</c>: 0, 1, …, count − 1 as Int64.</summary>
    /// <summary>
    /// 0, 1, …, count − 1 modulo <paramref name="divisor"/> (classes round-robin). The range is held while the remainder
    /// reads it: outside a dispose scope a bare temporary could be finalized by a collection during that native call.
    /// </summary>
    public static Tensor RangeRemainder(long count, long divisor, Device? device = null)
    {
        using Tensor range = Range(count, device);
        return range.Remainder(divisor);
    }

    public static Tensor Range(long count, Device? device = null)
    {
        using Scalar stop = count.ToScalar();
        return torch.arange(Zero, stop, One, device: device);
    }

    /// <summary><c>torch.full(size, value)</c> in the default dtype.</summary>
    public static Tensor Full(long size, double value, Device? device = null)
    {
        using Scalar scalar = value.ToScalar();
        return torch.full(size, scalar, device: device);
    }

    /// <summary><c>torch.full_like(like, value)</c>.</summary>
    public static Tensor FullLike(Tensor like, double value)
    {
        using Scalar scalar = value.ToScalar();
        return torch.full_like(like, scalar);
    }
}
