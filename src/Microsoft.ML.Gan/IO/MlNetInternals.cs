using System.Reflection;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Gan.IO;

/// <summary>
/// The three places where the library reaches into ML.NET's internals by reflection, found once and checked together when
/// the library starts (<see cref="Require"/>), so that an ML.NET without one of them fails with one message that names the
/// ML.NET version this library needs, instead of a <see cref="NullReferenceException"/> deep inside a fit or a save.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="CreateSchemaShape"/>: <c>SchemaShape.Create(DataViewSchema)</c>. <c>SchemaShape.Column</c> has no public
/// constructor, so an estimator outside ML.NET cannot describe new output columns (<see cref="GanEstimator.GetOutputSchema"/>).</item>
/// <item><see cref="RepositoryOf"/> and <see cref="CreateEntry"/>: <c>ModelSaveContext.Repository</c> and
/// <c>RepositoryWriter.CreateEntry(directory, name)</c>, through which a saved model zip gets the library's own entries.</item>
/// <item><see cref="IsCanceled"/>: <c>ICancelable.IsCanceled</c>, how <c>mlContext.CancelExecution()</c> reaches a fit.</item>
/// </list>
/// </remarks>
internal static class MlNetInternals
{
    /// <summary>The ML.NET versions this library was built and tested with (its package depends on [6.0.0, 6.1.0)).</summary>
    public const string SupportedVersions = "6.0.x";

    private static readonly Lazy<Hooks> Found = new(() => Hooks.Find(typeof(IHostEnvironment).Assembly, typeof(SchemaShape).Assembly));

    /// <summary><c>SchemaShape.Create(DataViewSchema)</c>.</summary>
    public static Func<DataViewSchema, SchemaShape> CreateSchemaShape => Required.CreateSchemaShape!;

    /// <summary>The zip a <see cref="ModelSaveContext"/> writes (its <c>RepositoryWriter</c>).</summary>
    public static object RepositoryOf(ModelSaveContext context) => Required.Repository!.GetValue(context)
        ?? throw new InvalidOperationException("This ModelSaveContext writes no zip (a save to a single stream); Microsoft.ML.Gan's entries need one.");

    /// <summary><c>RepositoryWriter.CreateEntry(directory, name)</c>: an entry whose <c>Stream</c> is written, then disposed.</summary>
    public static IDisposable CreateEntry(object repository, string directory, string name)
        => (IDisposable)Required.CreateEntry!.Invoke(repository, [directory, name])!;

    /// <summary>Whether ML.NET cancelled the execution of the context <paramref name="host"/> was registered with.</summary>
    public static bool IsCanceled(IHost host) => Required.IsCanceled!.DeclaringType!.IsInstanceOfType(host) && (bool)Required.IsCanceled.GetValue(host)!;

    /// <summary>Throws one <see cref="NotSupportedException"/> naming every hook this process's ML.NET lacks, and the version needed.</summary>
    public static void Require() => _ = Required;

    private static Hooks Required => Found.Value.Missing.Count == 0 ? Found.Value : throw Found.Value.Error();

    /// <summary>The hooks as found in two assemblies (ML.NET's core and data assemblies), and what is missing.</summary>
    internal sealed record Hooks(Func<DataViewSchema, SchemaShape>? CreateSchemaShape, FieldInfo? Repository, MethodInfo? CreateEntry, PropertyInfo? IsCanceled,
        IReadOnlyList<string> Missing, string LoadedVersion)
    {
        public static Hooks Find(Assembly core, Assembly data)
        {
            const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic;
            MethodInfo? create = data.GetType(typeof(SchemaShape).FullName!)?.GetMethod("Create", BindingFlags.Static | Any, [typeof(DataViewSchema)]);
            FieldInfo? repository = data.GetType(typeof(ModelSaveContext).FullName!)?.GetField("Repository", BindingFlags.Instance | Any);
            MethodInfo? entry = repository?.FieldType.GetMethod("CreateEntry", BindingFlags.Instance | Any, [typeof(string), typeof(string)]);
            PropertyInfo? canceled = core.GetType("Microsoft.ML.Runtime.ICancelable")?.GetProperty("IsCanceled");
            bool entryHasStream = entry?.ReturnType.GetProperty("Stream") is not null && typeof(IDisposable).IsAssignableFrom(entry.ReturnType);

            var missing = new List<string>();
            if (create is null || create.ReturnType != typeof(SchemaShape))
            {
                missing.Add("SchemaShape.Create(DataViewSchema)");
            }

            if (repository is null || entry is null || !entryHasStream)
            {
                missing.Add("ModelSaveContext.Repository with RepositoryWriter.CreateEntry(string, string)");
            }

            if (canceled is null || canceled.PropertyType != typeof(bool))
            {
                missing.Add("ICancelable.IsCanceled");
            }

            string version = data.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                ?? data.GetName().Version?.ToString() ?? "unknown";
            return new Hooks(
                missing.Count == 0 ? create!.CreateDelegate<Func<DataViewSchema, SchemaShape>>() : null,
                repository, entry, canceled, missing, version);
        }

        public NotSupportedException Error() => new(
            $"Microsoft.ML.Gan needs ML.NET {SupportedVersions}; this process loaded ML.NET {LoadedVersion}, which lacks what the library uses of its " +
            $"internals ({string.Join("; ", Missing)}). Reference Microsoft.ML {SupportedVersions}, or a Microsoft.ML.Gan built for ML.NET {LoadedVersion}.");
    }
}
