using System.Globalization;

namespace Microsoft.ML.Gan;

/// <summary>The checks every options class runs on its own settings; each message names the class and the setting.</summary>
internal static class OptionChecks
{
    public static void ColumnName(string value, string owner, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{owner}.{name} must name a column.", name);
        }
    }

    public static void AtLeast(int value, int minimum, string owner, string name)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name, value, Invariant($"{owner}.{name} must be at least {minimum}; got {value}."));
        }
    }

    /// <summary>
    /// The width of a network's convolutions: at least 1, and a multiple of 8, or at most 8 where the network's convolutions
    /// all have stride 2 (<paramref name="strideTwoOnly"/>). libtorch 2.10's CPU convolution (oneDNN's AVX2 and AVX-512
    /// kernels) gives wrong outputs and gradients for an input of more than 8 channels that is not a multiple of 8 (12, 20,
    /// 31: off by whole units, at times NaN), and a wrong input gradient for a stride-1 convolution whose output channels
    /// are not a multiple of 8 (1 to 7, 10, 12, 14), so such a width would train on wrong arithmetic
    /// (docs/DESIGN-DECISIONS.md, "Convolution widths"; ConvolutionWidthTests checks the widths accepted).
    /// </summary>
    public static void ConvolutionChannels(int value, string owner, string name, bool strideTwoOnly)
    {
        AtLeast(value, 1, owner, name);
        if (value % ChannelAlignment != 0 && !(strideTwoOnly && value <= ChannelAlignment))
        {
            int below = value / ChannelAlignment * ChannelAlignment;
            string choices = below == 0 ? Invariant($"{ChannelAlignment}") : Invariant($"{below} or {below + ChannelAlignment}");
            throw new ArgumentOutOfRangeException(name, value, Invariant(
                $"{owner}.{name} must be {(strideTwoOnly ? $"at most {ChannelAlignment} or " : "")}a multiple of {ChannelAlignment}; got {value}: libtorch's CPU convolution computes wrong results for such widths. Use {choices}."));
        }
    }

    /// <summary>The channel count convolution widths are multiples of (<see cref="ConvolutionChannels"/>).</summary>
    public const int ChannelAlignment = 8;

    public static void Positive(float value, string owner, string name)
    {
        if (!float.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, Invariant($"{owner}.{name} must be a finite value > 0; got {value}."));
        }
    }

    public static void NonNegative(float value, string owner, string name)
    {
        if (!float.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, Invariant($"{owner}.{name} must be a finite value >= 0; got {value}."));
        }
    }

    /// <summary>A generator EMA's decay in [0, 1) when set; its warm-up only with a decay.</summary>
    public static void Ema(float? decay, bool warmup, string owner, string decayName, string warmupName)
    {
        if (decay is float value)
        {
            InRange(value, 0f, 1f, owner, decayName, upperInclusive: false);
        }
        else if (warmup)
        {
            throw new ArgumentException(
                $"{owner}.{warmupName} ramps up the EMA's decay, but {owner}.{decayName} is not set (no EMA). Set both or neither.", warmupName);
        }
    }

    public static void InRange(float value, float low, float high, string owner, string name, bool upperInclusive)
    {
        bool ok = float.IsFinite(value) && value >= low && (upperInclusive ? value <= high : value < high);
        if (!ok)
        {
            string range = upperInclusive ? Invariant($"[{low}, {high}]") : Invariant($"[{low}, {high})");
            throw new ArgumentOutOfRangeException(name, value, Invariant($"{owner}.{name} must lie in {range}; got {value}."));
        }
    }

    public static void Betas((float Beta1, float Beta2) betas, string owner, string name)
    {
        InRange(betas.Beta1, 0f, 1f, owner, name, upperInclusive: false);
        InRange(betas.Beta2, 0f, 1f, owner, name, upperInclusive: false);
    }

    public static void Defined<TEnum>(TEnum value, string owner, string name)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{owner}.{name} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}; got {value}.");
        }
    }

    public static T NotNull<T>(T? value, string owner, string name)
        where T : class
        => value ?? throw new ArgumentNullException(name, $"{owner}.{name} must be set.");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
