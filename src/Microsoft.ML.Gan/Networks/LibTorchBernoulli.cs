using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Networks;

/// <summary>
/// <c>tensor.bernoulli_(p)</c> on libtorch's default CPU generator, computed in .NET with vector instructions:
/// the same Mersenne Twister (mt19937) words, the same masks, and the generator left in the same state, so
/// training stays bit-identical. libtorch draws these masks one element at a time (its MKL path is off on
/// AMD processors and in recent versions).
/// </summary>
/// <remarks>
/// libtorch's CPU Bernoulli with a scalar p, per element in memory order: two 32-bit words w₁, w₂ make
/// r = (w₁ &lt;&lt; 32) | w₂; u = (r mod 2⁵³) · 2⁻⁵³; the element is 1 when u &lt; p. The generator's state travels
/// through <c>torch.random.get_rng_state</c> / <c>set_rng_state</c> (libtorch's CPUGeneratorImplState: initial
/// seed, words left, seeded flag, next index, then the 624 state words as 64-bit values). <see cref="IsExact"/>
/// checks the whole path against libtorch once per process; when it does not match (another libtorch layout),
/// callers use libtorch's own kernel.
/// </remarks>
internal static class LibTorchBernoulli
{
    private const int N = 624;
    private const int M = 397;
    private const uint MatrixA = 0x9908b0df;
    private const uint UpperMask = 0x80000000;
    private const uint LowerMask = 0x7fffffff;
    private const int LeftOffset = 8;
    private const int NextOffset = 16;
    private const int StateOffset = 24;
    private const int StateBytes = 5056;

    private static readonly Lazy<bool> Exact = new(SelfTest);

    [ThreadStatic]
    private static uint[]? t_words;

    [ThreadStatic]
    private static uint[]? t_state;

    /// <summary>Whether <see cref="Fill"/> reproduces libtorch's <c>bernoulli_</c> in this process (checked once).</summary>
    public static bool IsExact => Exact.Value;

    /// <summary>
    /// Writes 0 or <paramref name="one"/> to each element of <paramref name="destination"/> (a contiguous float32 CPU tensor),
    /// <paramref name="one"/> with probability <paramref name="probability"/>, advancing libtorch's default CPU generator as
    /// <c>bernoulli_</c> does: with <paramref name="one"/> = 1 the tensor equals <c>bernoulli_(probability)</c>'s.
    /// </summary>
    public static void Fill(Tensor destination, double probability, float one = 1f)
    {
        using Tensor state = torch.random.get_rng_state();
        Span<byte> bytes = state.bytes;
        if (bytes.Length != StateBytes)
        {
            throw new InvalidOperationException($"libtorch's generator state is {bytes.Length} bytes; expected {StateBytes}.");
        }

        Span<float> values = MemoryMarshal.Cast<byte, float>(destination.bytes);
        Draw(bytes, values, probability, one);
        torch.random.set_rng_state(state);
    }

    /// <summary>Draws the masks from the generator state in <paramref name="generator"/> and writes the advanced state back.</summary>
    private static void Draw(Span<byte> generator, Span<float> values, double probability, float one)
    {
        uint[] state = t_state ??= new uint[N];
        for (int i = 0; i < N; i++)
        {
            state[i] = (uint)BinaryPrimitives.ReadUInt64LittleEndian(generator[(StateOffset + (8 * i))..]);
        }

        int left = BinaryPrimitives.ReadInt32LittleEndian(generator[LeftOffset..]);
        int next = (int)BinaryPrimitives.ReadUInt64LittleEndian(generator[NextOffset..]);
        int needed = 2 * values.Length;
        uint[] words = t_words is { } cached && cached.Length >= needed ? cached : t_words = new uint[Math.Max(needed, 1024)];

        // The engine reads state[next++] after "if (--left == 0) twist()"; left − 1 words remain before the next twist.
        int produced = 0;
        while (produced < needed)
        {
            if (left == 1)
            {
                Twist(state);
                (left, next) = (N + 1, 0);
            }

            int take = Math.Min(left - 1, needed - produced);
            Temper(state.AsSpan(next, take), words.AsSpan(produced, take));
            produced += take;
            next += take;
            left -= take;
        }

        // u < p with u = (r mod 2^53) / 2^53 is exactly (r mod 2^53) < p · 2^53 (scaling by a power of two is exact).
        double scaled = probability * 9007199254740992.0;
        long threshold = scaled >= 9007199254740992.0 ? long.MaxValue : (long)Math.Ceiling(scaled);
        Masks(MemoryMarshal.Cast<uint, ulong>(words.AsSpan(0, needed)), values, threshold, one);

        for (int i = 0; i < N; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(generator[(StateOffset + (8 * i))..], state[i]);
        }

        BinaryPrimitives.WriteInt32LittleEndian(generator[LeftOffset..], left);
        BinaryPrimitives.WriteUInt64LittleEndian(generator[NextOffset..], (ulong)next);
    }

    /// <summary>
    /// One mask per word pair: the pair read as a little-endian 64-bit value holds w₁ in its low and w₂ in its high half,
    /// so r = ((pair mod 2²¹) &lt;&lt; 32) | (pair &gt;&gt; 32); the element is <paramref name="one"/> when r &lt; threshold, else 0.
    /// </summary>
    private static void Masks(ReadOnlySpan<ulong> pairs, Span<float> values, long threshold, float one)
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var low21 = Vector256.Create(0x1FFFFFUL);
            var limit = Vector256.Create(threshold);
            var ones = Vector256.Create(one);
            for (; k + 8 <= values.Length; k += 8)
            {
                Vector256<ulong> a = Vector256.Create(pairs.Slice(k, 4));
                Vector256<ulong> b = Vector256.Create(pairs.Slice(k + 4, 4));
                Vector256<long> ra = (((a & low21) << 32) | (a >>> 32)).AsInt64();
                Vector256<long> rb = (((b & low21) << 32) | (b >>> 32)).AsInt64();
                Vector256<float> kept = Vector256.Narrow(Vector256.LessThan(ra, limit), Vector256.LessThan(rb, limit)).AsSingle();
                (kept & ones).CopyTo(values.Slice(k, 8));
            }
        }

        for (; k < values.Length; k++)
        {
            ulong pair = pairs[k];
            long r = (long)(((pair & 0x1FFFFF) << 32) | (pair >> 32));
            values[k] = r < threshold ? one : 0f;
        }
    }

    /// <summary>mt19937's tempering of <paramref name="source"/> into <paramref name="destination"/>.</summary>
    private static void Temper(ReadOnlySpan<uint> source, Span<uint> destination)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var b = Vector256.Create(0x9d2c5680u);
            var c = Vector256.Create(0xefc60000u);
            for (; i + 8 <= source.Length; i += 8)
            {
                Vector256<uint> y = Vector256.Create(source.Slice(i, 8));
                y ^= y >>> 11;
                y ^= (y << 7) & b;
                y ^= (y << 15) & c;
                y ^= y >>> 18;
                y.CopyTo(destination.Slice(i, 8));
            }
        }

        for (; i < source.Length; i++)
        {
            uint y = source[i];
            y ^= y >> 11;
            y ^= (y << 7) & 0x9d2c5680u;
            y ^= (y << 15) & 0xefc60000u;
            y ^= y >> 18;
            destination[i] = y;
        }
    }

    /// <summary>mt19937's state transition, vectorised where the recurrence allows (its sources are 227 or 397 words away).</summary>
    private static void Twist(uint[] p)
    {
        // p[i] = p[i + M] ^ twist(p[i], p[i + 1]) for i < N − M: every source is still the old word.
        int i = TwistRange(p, 0, N - M, M);
        for (; i < N - M; i++)
        {
            p[i] = p[i + M] ^ Mix(p[i], p[i + 1]);
        }

        // p[i] = p[i + M − N] ^ twist(p[i], p[i + 1]) for i < N − 1: the first source is a new word written 227 places earlier.
        i = TwistRange(p, N - M, N - 1, M - N);
        for (; i < N - 1; i++)
        {
            p[i] = p[i + M - N] ^ Mix(p[i], p[i + 1]);
        }

        p[N - 1] = p[M - 1] ^ Mix(p[N - 1], p[0]);
    }

    private static int TwistRange(uint[] p, int start, int end, int offset)
    {
        int i = start;
        if (!Vector256.IsHardwareAccelerated)
        {
            return i;
        }

        var upper = Vector256.Create(UpperMask);
        var lower = Vector256.Create(LowerMask);
        var one = Vector256<uint>.One;
        var matrix = Vector256.Create(MatrixA);
        for (; i + 8 <= end; i += 8)
        {
            Vector256<uint> u = Vector256.Create(p.AsSpan(i, 8));
            Vector256<uint> v = Vector256.Create(p.AsSpan(i + 1, 8));
            Vector256<uint> source = Vector256.Create(p.AsSpan(i + offset, 8));
            Vector256<uint> mixed = ((u & upper) | (v & lower)) >>> 1;
            Vector256<uint> odd = (Vector256<uint>.Zero - (v & one)) & matrix;
            (source ^ mixed ^ odd).CopyTo(p.AsSpan(i, 8));
        }

        return i;
    }

    private static uint Mix(uint u, uint v) => (((u & UpperMask) | (v & LowerMask)) >> 1) ^ ((v & 1) != 0 ? MatrixA : 0);

    /// <summary>
    /// Compares <see cref="Fill"/> with libtorch's <c>bernoulli_</c> from the same generator state — masks and the state
    /// after — over enough elements to cross several twists and an odd start; restores the generator either way.
    /// </summary>
    private static bool SelfTest()
    {
        using Tensor saved = torch.random.get_rng_state();
        try
        {
            using Tensor start = torch.random.get_rng_state();
            using Tensor expected = torch.empty(1501, dtype: ScalarType.Float32).bernoulli_(0.7);
            using Tensor expectedState = torch.random.get_rng_state();
            torch.random.set_rng_state(start);
            using Tensor actual = torch.empty(1501, dtype: ScalarType.Float32);
            Fill(actual, 0.7);
            using Tensor actualState = torch.random.get_rng_state();
            return actual.bytes.SequenceEqual(expected.bytes) && actualState.bytes.SequenceEqual(expectedState.bytes);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        finally
        {
            torch.random.set_rng_state(saved);
        }
    }
}
