using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Microsoft.ML.Gan.Tests.Layout;

/// <summary>
/// The library's folders form one-way layers along the flow data → training → export → scoring (docs/ARCHITECTURE.md):
/// a folder uses only folders below it, so no two folders import each other. The check compiles the library's sources
/// with Roslyn and follows every name to the file that declares it, so <c>var</c>, extension methods and a property that
/// shares a type's name are counted as the compiler sees them.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class FolderDependencyTests
{
    /// <summary>Bottom to top; "" is the library's root folder, the public entry points (catalog, estimator, transformer).</summary>
    private static readonly string[] Layers =
        ["Logging", "IO", "Torch", "Options", "Tabular", "Imaging", "Input", "Mnist", "Networks", "Evaluation", "Training", "Onnx", "Artifact", "PyTorch", "Generation", ""];

    private static readonly Lazy<IReadOnlyList<FolderUse>> Uses = new(FindUses);

    /// <summary>One folder using a type declared in another, with the file and type as evidence.</summary>
    private sealed record FolderUse(string From, string To, string File, string Type);

    private static string LibraryDirectory => SourceCompilation.LibraryDirectory;

    private static string FolderOf(string path) => SourceCompilation.FolderOf(LibraryDirectory, path);

    private static IEnumerable<string> SourceFiles() => SourceCompilation.SourceFiles(LibraryDirectory);

    private static IReadOnlyList<FolderUse> FindUses()
    {
        CSharpCompilation compilation = SourceCompilation.Library;
        IEnumerable<SyntaxTree> trees = SourceCompilation.OwnTrees(compilation);

        var uses = new HashSet<FolderUse>();
        foreach (SyntaxTree tree in trees)
        {
            SemanticModel model = compilation.GetSemanticModel(tree);
            string from = FolderOf(tree.FilePath);
            foreach (SimpleNameSyntax name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                SymbolInfo info = model.GetSymbolInfo(name);
                ISymbol? symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                INamedTypeSymbol? type = symbol as INamedTypeSymbol ?? symbol?.ContainingType;
                while (type?.ContainingType is not null)
                {
                    type = type.ContainingType;
                }

                string? declaredIn = type?.OriginalDefinition.Locations.FirstOrDefault(l => l.IsInSource)?.SourceTree?.FilePath;
                if (declaredIn is null || !declaredIn.StartsWith(LibraryDirectory, StringComparison.Ordinal))
                {
                    continue;
                }

                string to = FolderOf(declaredIn);
                if (to != from)
                {
                    uses.Add(new FolderUse(from, to, Path.GetRelativePath(LibraryDirectory, tree.FilePath), type!.Name));
                }
            }
        }

        return [.. uses.OrderBy(u => u.From).ThenBy(u => u.To).ThenBy(u => u.File)];
    }

    private static string Describe(IEnumerable<FolderUse> uses)
        => string.Join(Environment.NewLine, uses.Select(u => $"  {u.File} uses {u.Type} ({(u.To == "" ? "root" : u.To)})"));

    [Test]
    public void EveryFolderHasAPlaceInTheLayers()
    {
        string[] folders = [.. SourceFiles().Select(FolderOf).Distinct()];
        Assert.That(folders.Except(Layers), Is.Empty, "a new folder goes into Layers here and into docs/ARCHITECTURE.md, at its place in the flow");
    }

    [Test]
    public void NoFolderUsesAFolderAboveIt()
    {
        FolderUse[] upward = [.. Uses.Value.Where(u => Array.IndexOf(Layers, u.To) > Array.IndexOf(Layers, u.From))];
        Assert.That(upward, Is.Empty, "uses against the flow (each is half of a cycle or a misplaced file):" + Environment.NewLine + Describe(upward));
    }

    [Test]
    public void NoFoldersImportEachOther()
    {
        ILookup<string, string> edges = Uses.Value.ToLookup(u => u.From, u => u.To);
        List<string> cycle = FindCycle(edges);
        Assert.That(cycle, Is.Empty, "a cycle between folders: " + string.Join(" → ", cycle) + Environment.NewLine +
            Describe(Uses.Value.Where(u => cycle.Zip(cycle.Skip(1)).Contains((u.From, u.To)))));
    }

    [Test]
    public void TheCheckSeesRealUsesAndThroughVar()
    {
        // The check is only as good as its resolution: known uses must be found, including one the source spells only
        // through members (Training reads Input's TrainingImages; the root folder builds Artifact's GeneratorModel).
        Assert.That(Uses.Value, Has.Some.Matches<FolderUse>(u => u.From == "Training" && u.To == "Input" && u.Type == "TrainingImages"));
        Assert.That(Uses.Value, Has.Some.Matches<FolderUse>(u => u.From == "" && u.To == "Artifact" && u.Type == "GeneratorModel"));
        Assert.That(Uses.Value, Has.None.Matches<FolderUse>(u => u.From == "Options" && u.To == "Training"),
            "GanOptions.DiffAugment is a property, not Training's DiffAugment class");
    }

    /// <summary>A cycle as its folders (first repeated last), or empty.</summary>
    private static List<string> FindCycle(ILookup<string, string> edges)
    {
        var state = new Dictionary<string, int>();   // 1 on the current path, 2 done
        var path = new List<string>();

        List<string>? Visit(string folder)
        {
            state[folder] = 1;
            path.Add(folder);
            foreach (string next in edges[folder].Distinct())
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.Skip(path.IndexOf(next)), next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[folder] = 2;
            return null;
        }

        foreach (string folder in edges.Select(g => g.Key))
        {
            if (state.GetValueOrDefault(folder) == 0 && Visit(folder) is { } cycle)
            {
                return cycle;
            }
        }

        return [];
    }
}
