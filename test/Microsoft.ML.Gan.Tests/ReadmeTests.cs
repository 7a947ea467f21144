using System.Text.RegularExpressions;
using Microsoft.ML.Gan.Tests.PyTorch;

namespace Microsoft.ML.Gan.Tests;

/// <summary>
/// README.md's C# code: a block preceded by <c>&lt;!-- include: path --&gt;</c> must be that file byte for byte (the
/// file is a project in GanMlNet.sln, so building the solution compiles it); every other block must say on its first
/// line that it is a fragment, so nobody pastes it as a program.
/// </summary>
[Category(TestCategories.Fast)]
public sealed partial class ReadmeTests
{
    [Test]
    public void EveryCSharpBlockIsAnIncludedFileThatTheBuildCompilesOrAMarkedFragment()
    {
        string root = PythonWithTorch.RepositoryRoot;
        string readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        MatchCollection blocks = CSharpBlock().Matches(readme);
        Assert.That(blocks, Is.Not.Empty);

        var included = new List<string>();
        foreach (Match block in blocks)
        {
            string code = block.Groups["code"].Value;
            if (block.Groups["include"].Success)
            {
                string path = block.Groups["include"].Value;
                string file = File.ReadAllText(Path.Combine(root, path)).ReplaceLineEndings("\n");
                Assert.That(code, Is.EqualTo(file), $"README's block for {path} differs from the file: copy the file into README.md");
                included.Add(path);
            }
            else
            {
                Assert.That(code, Does.StartWith("// Fragment"), $"a C# block in README.md is neither an included file nor marked as a fragment:\n{code}");
            }
        }

        Assert.That(included, Does.Contain("samples/QuickStart/Program.cs"), "the complete program");
        string solution = File.ReadAllText(Path.Combine(root, "GanMlNet.sln"));
        foreach (string path in included)
        {
            string project = Directory.GetFiles(Path.Combine(root, Path.GetDirectoryName(path)!), "*.csproj").Single();
            Assert.That(solution, Does.Contain(Path.GetRelativePath(root, project).Replace('/', '\\')), $"{project} is built with the solution");
        }
    }

    [GeneratedRegex(@"(?:<!-- include: (?<include>\S+) -->\n)?```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
