using Microsoft.ML.Gan.IO;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Gan.Tests.IO;

/// <summary>The library's reflection into ML.NET is found in the ML.NET it ships with, and a missing hook is one clear error.</summary>
[Category(TestCategories.Fast)]
public sealed class MlNetInternalsTests
{
    [Test]
    public void EveryHookIsFoundInTheMlNetThisLibraryReferences()
    {
        MlNetInternals.Hooks hooks = MlNetInternals.Hooks.Find(typeof(IHostEnvironment).Assembly, typeof(SchemaShape).Assembly);

        Assert.That(hooks.Missing, Is.Empty);
        Assert.That(hooks.LoadedVersion, Does.StartWith("6.0."));
        Assert.DoesNotThrow(MlNetInternals.Require);
    }

    [Test]
    public void AnMlNetWithoutTheHooksIsOneMessageNamingTheVersionNeeded()
    {
        // Assemblies that are not ML.NET stand for a future ML.NET in which every internal moved.
        MlNetInternals.Hooks hooks = MlNetInternals.Hooks.Find(typeof(object).Assembly, typeof(Uri).Assembly);

        NotSupportedException error = hooks.Error();

        Assert.That(hooks.Missing, Has.Count.EqualTo(3));
        Assert.That(error.Message, Does.Contain("needs ML.NET 6.0.x").And.Contain("SchemaShape.Create").And.Contain("RepositoryWriter.CreateEntry")
            .And.Contain("ICancelable.IsCanceled"));
    }

    [Test]
    public void TheHooksWork()
    {
        // Each hook used for real (a save with the library's entries is tested in IO/ModelZipTests). MLContext.CancelExecution
        // is internal in ML.NET 6 as in 5.0.1; ML.NET's own components honour it, and so does Fit.
        var ml = new MLContext(1);
        var cancelled = new MLContext(1);
        typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!
            .Invoke(cancelled, null);
        IHost host = ((IHostEnvironment)cancelled).Register("test");

        Assert.That(MlNetInternals.IsCanceled(host), Is.True);
        Assert.That(MlNetInternals.IsCanceled(((IHostEnvironment)ml).Register("test")), Is.False);
        Assert.That(MlNetInternals.CreateSchemaShape(SyntheticImages.Load(ml, 4).Schema).Select(c => c.Name), Is.EqualTo(new[] { "Pixels" }));
    }
}
