using TorchSharp;

namespace Gan.Samples.Commands;

/// <summary>One line proving TorchSharp's native libraries load here, with versions and threads.</summary>
internal static class BackendReport
{
    public static string Describe()
    {
        using var scope = torch.NewDisposeScope();
        float check = torch.ones(2, 2).sum().item<float>();
        string version = typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "?";
        return $"TorchSharp {version} loaded (CPU, {torch.get_num_threads()} intra-op threads, 2x2 ones sum = {check}); " +
               $".NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }
}
