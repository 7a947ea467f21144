using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.ML.Gan.Tests.PyTorch;

namespace Microsoft.ML.Gan.Tests.Layout;

/// <summary>
/// The repository's C# projects compiled with Roslyn as the checks of this folder need them: every name bound to its
/// symbol as the compiler sees it (<c>var</c>, extension methods, operators, implicit conversions).
/// </summary>
internal static class SourceCompilation
{
    // The SDK's implicit usings (ImplicitUsings=enable), which live in obj/ rather than in the sources.
    private const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
                                          "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";

    private static readonly Lazy<CSharpCompilation> LibraryCompilation = new(() => Compile("src/Microsoft.ML.Gan", excludeAssembliesStartingWith: "Microsoft.ML.Gan"));

    private static readonly Lazy<CSharpCompilation> SamplesCompilation = new(() => Compile("src/Gan.Samples", excludeAssembliesStartingWith: "gan-samples"));

    public static string LibraryDirectory => ProjectDirectory("src/Microsoft.ML.Gan");

    /// <summary>The library's sources, without itself among the references.</summary>
    public static CSharpCompilation Library => LibraryCompilation.Value;

    /// <summary>The samples app's sources, against the built library (it uses only its public surface).</summary>
    public static CSharpCompilation Samples => SamplesCompilation.Value;

    /// <summary>The folder of <paramref name="path"/> inside <paramref name="project"/>: "" for its root, e.g. "Training".</summary>
    public static string FolderOf(string project, string path)
    {
        string relative = Path.GetRelativePath(project, path);
        int slash = relative.IndexOf(Path.DirectorySeparatorChar);
        return slash < 0 ? "" : relative[..slash];
    }

    /// <summary>The C# sources of a project folder, without build output.</summary>
    public static IEnumerable<string> SourceFiles(string project)
        => Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories).Where(f => FolderOf(project, f) is not ("obj" or "bin"));

    /// <summary>The project's own syntax trees (not the implicit usings).</summary>
    public static IEnumerable<SyntaxTree> OwnTrees(CSharpCompilation compilation)
        => compilation.SyntaxTrees.Where(t => t.FilePath.StartsWith(PythonWithTorch.RepositoryRoot, StringComparison.Ordinal));

    private static string ProjectDirectory(string relative) => Path.Combine(PythonWithTorch.RepositoryRoot, relative);

    private static CSharpCompilation Compile(string relativeProject, string excludeAssembliesStartingWith)
    {
        string project = ProjectDirectory(relativeProject);
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        List<SyntaxTree> trees = [.. SourceFiles(project).Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f))];
        trees.Add(CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "ImplicitUsings.g.cs"));

        // Everything the test host runs with, which includes every assembly the project references, but not the project itself.
        IEnumerable<MetadataReference> references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith(excludeAssembliesStartingWith, StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p));
        return CSharpCompilation.Create("SourceCheck", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    }
}
