using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Gan.Torch;

/// <summary>
/// Makes the Intel MKL inside libtorch take its Intel code path on a processor of another vendor, the switch behind
/// <see cref="GanRuntime.UseMklIntelKernels"/>.
/// </summary>
/// <remarks>
/// <para>
/// MKL picks its kernels once, at its first routine, after asking <c>mkl_serv_intel_cpu_true</c> whether the processor
/// is an Intel one; the answer is kept in a variable next to that function (−1 until asked, then 1 or 0). On an AMD
/// EPYC with AVX2 here, libtorch 2.10's MKL answers 0 and runs <c>sgemm</c> 25 to 50 % slower than on its Intel path
/// with the same instructions (docs/BENCHMARKS.md). Setting the kept answer to 1 before MKL asks is what the
/// <c>MKL_DEBUG_CPU_TYPE=5</c> setting did before MKL 2020.1 removed it.
/// </para>
/// <para>
/// The function is read, never written: its first instructions must be <c>mov eax, [rip + d]; test eax, eax; js …;
/// ret</c> (the load of the kept answer), or nothing is changed. With the switch, MKL is also held to AVX2 unless
/// <c>MKL_ENABLE_INSTRUCTIONS</c> is set, as oneDNN is (<see cref="OneDnnInstructionSet"/>), so the same seed computes
/// the same bits on AVX2 and AVX-512 machines.
/// </para>
/// </remarks>
internal static class MklVendorCheck
{
    public const string Function = "mkl_serv_intel_cpu_true";

    public const string InstructionSetVariable = "MKL_ENABLE_INSTRUCTIONS";

    /// <summary>Bytes of the function's start this switch understands: 8B 05 d32 (mov eax, [rip + d]), 85 C0, 78 01, C3.</summary>
    public const int CodeLength = 11;

    private static readonly Lock Gate = new();
    private static MklKernelSwitch? applied;

    /// <summary>
    /// The offset, from the function's start, of the variable that keeps MKL's answer; null when <paramref name="code"/>
    /// (the function's first <see cref="CodeLength"/> bytes) is not the load this switch knows.
    /// </summary>
    public static long? AnswerOffset(ReadOnlySpan<byte> code)
    {
        if (code.Length < CodeLength || code[0] != 0x8B || code[1] != 0x05
            || code[6] != 0x85 || code[7] != 0xC0 || code[8] != 0x78 || code[9] != 0x01 || code[10] != 0xC3)
        {
            return null;
        }

        // RIP-relative: the displacement counts from the end of the 6-byte mov.
        return 6L + BinaryPrimitives.ReadInt32LittleEndian(code[2..6]);
    }

    /// <summary>What MKL answers now: 1 (Intel path), 0 (another vendor's, already asked), −1 (not asked yet); null when unknown.</summary>
    public static int? Answer() => Locate() is IntPtr answer ? Marshal.ReadInt32(answer) : null;

    /// <summary>Applies the switch once per process; later calls return the first outcome (or try again after <see cref="MklKernelSwitch.TooLate"/>).</summary>
    public static MklKernelSwitch Apply()
    {
        lock (Gate)
        {
            if (applied is MklKernelSwitch done)
            {
                return done;
            }

            if (Locate() is not IntPtr answer)
            {
                return Remember(MklKernelSwitch.NotAvailable);
            }

            switch (Marshal.ReadInt32(answer))
            {
                case 1:
                    return Remember(MklKernelSwitch.IntelProcessor);
                case 0:
                    // MKL has asked already, so it may have picked its kernels: changing the answer now could leave some
                    // routines on one path and some on the other. Nothing is changed; the caller learns to call earlier.
                    return MklKernelSwitch.TooLate;
                default:
                    HoldToAvx2UnlessChosen();
                    Marshal.WriteInt32(answer, 1);
                    return Remember(MklKernelSwitch.Applied);
            }
        }
    }

    private static MklKernelSwitch Remember(MklKernelSwitch outcome)
    {
        applied = outcome;
        return outcome;
    }

    /// <summary>The address of the variable that keeps MKL's answer in the libtorch this process uses; null when there is none this switch knows.</summary>
    private static IntPtr? Locate()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return null;   // MKL is an x64 library; libtorch builds for other processors do not carry it
        }

        if (LibTorchExports.Find(Function) is not IntPtr function)
        {
            return null;
        }

        byte[] code = new byte[CodeLength];
        Marshal.Copy(function, code, 0, CodeLength);
        return AnswerOffset(code) is long offset ? function + (nint)offset : null;
    }

    private static void HoldToAvx2UnlessChosen()
    {
        if (Environment.GetEnvironmentVariable(InstructionSetVariable) is not null)
        {
            return;
        }

        // MKL reads the C library's environment when it picks its kernels (later than this call); .NET keeps its own copy on Linux and macOS.
        if (!OperatingSystem.IsWindows())
        {
            _ = SetEnvironmentVariable(InstructionSetVariable, "AVX2", overwrite: 0);
        }

        Environment.SetEnvironmentVariable(InstructionSetVariable, "AVX2");
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnvironmentVariable(string name, string value, int overwrite);
}
