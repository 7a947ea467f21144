using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.ML.Gan.Tests.PyTorch;

namespace Microsoft.ML.Gan.Tests.Layout;

/// <summary>
/// No TorchSharp <c>Scalar</c> that the garbage collector may free during the native call that reads it (issue 25, item 1;
/// <see cref="TorchSharpScalarMap"/> says why): the library and the samples app never convert a number to a Scalar or a
/// Tensor implicitly, never call a TorchSharp method that does so inside (<c>Tensor.add(Tensor)</c>, the arithmetic
/// operators with a number, <c>leaky_relu</c>, ...), and never build a TorchSharp module whose <c>forward</c> does. Scalars are
/// made explicitly and kept alive for the call (<c>Torch/Scalars.cs</c>). The GC-stress test
/// (<c>Training/GarbageCollectionStressTests</c>) shows the crash this prevents.
/// </summary>
[Category(TestCategories.Fast)]
public sealed class ExplicitScalarTests
{
    private static readonly Lazy<IReadOnlyList<string>> LibraryFindings = new(() => Scan(SourceCompilation.Library));
    private static readonly Lazy<IReadOnlyList<string>> SamplesFindings = new(() => Scan(SourceCompilation.Samples));

    [Test]
    public void TheLibraryMakesEveryScalarExplicitly()
        => Assert.That(LibraryFindings.Value, Is.Empty, "TorchSharp Scalars the GC may free while libtorch reads them:" + Environment.NewLine + string.Join(Environment.NewLine, LibraryFindings.Value));

    [Test]
    public void TheSamplesAppMakesEveryScalarExplicitly()
        => Assert.That(SamplesFindings.Value, Is.Empty, "TorchSharp Scalars the GC may free while libtorch reads them:" + Environment.NewLine + string.Join(Environment.NewLine, SamplesFindings.Value));

    [Test]
    public void TheCheckFindsEachKindOfImplicitScalar()
    {
        const string Planted = """
            using TorchSharp;
            using static TorchSharp.torch;
            static class Planted
            {
                static readonly Scalar One = 1.0.ToScalar();
                static Tensor Operator(Tensor t) => t * 0.5;                         // line 6: number operand of an operator
                static Tensor Conversion(Tensor t) => t.mul(0.5);                    // line 7: implicit conversion in the call
                static Tensor Inside(Tensor t) => t.add(t);                          // line 8: add(Tensor) makes alpha = 1 inside
                static nn.Module<Tensor, Tensor> Module() => nn.LeakyReLU(0.2);      // line 9: LeakyReLU.forward converts its slope
                static Tensor Safe(Tensor t) => t.add(t, One).mul(One);              // line 10: explicit, rooted
                static nn.Module<Tensor, Tensor> Norm() => nn.BatchNorm2d(4);        // line 11: BatchNorm.forward (inherited) adds 1
            }
            """;
        CSharpCompilation compilation = CSharpCompilation.Create("Planted", [CSharpSyntaxTree.ParseText(Planted, path: "Planted.cs")],
            SourceCompilation.Library.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        IReadOnlyList<string> findings = Scan(compilation, [.. compilation.SyntaxTrees]);

        Assert.That(findings.Select(f => int.Parse(f.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).Distinct(), Is.EquivalentTo(new[] { 6, 7, 8, 9, 11 }),
            string.Join(Environment.NewLine, findings));
    }

    [Test]
    public void TheMapListsTheKnownOffendersOnly()
    {
        // Guards the IL reading itself: add(Tensor) converts 1 inside, add(Tensor, Scalar) does not.
        Type tensor = typeof(TorchSharp.torch.Tensor);
        int Token(string name, params Type[] parameters) => tensor.GetMethod(name, parameters)!.MetadataToken;
        TorchSharpScalarMap map = TorchSharpScalarMap.Instance;
        Assert.Multiple(() =>
        {
            Assert.That(map.IsUnsafeMethod(Token("add", tensor)), Is.True, "Tensor.add(Tensor)");
            Assert.That(map.IsUnsafeMethod(Token("add", tensor, typeof(TorchSharp.Scalar))), Is.False, "Tensor.add(Tensor, Scalar)");
            Assert.That(map.IsUnsafeMethod(Token("mul", tensor)), Is.False, "Tensor.mul(Tensor)");
            Assert.That(map.UnsafeMethods, Has.Count.LessThan(2000), "the map should list a minority of TorchSharp's methods");
        });
    }

    private static IReadOnlyList<string> Scan(CSharpCompilation compilation) => Scan(compilation, [.. SourceCompilation.OwnTrees(compilation)]);

    private static IReadOnlyList<string> Scan(CSharpCompilation compilation, IReadOnlyList<SyntaxTree> trees)
    {
        TorchSharpScalarMap map = TorchSharpScalarMap.Instance;
        var findings = new SortedSet<string>(StringComparer.Ordinal);
        foreach (SyntaxTree tree in trees)
        {
            SemanticModel model = compilation.GetSemanticModel(tree);
            var seen = new HashSet<IOperation>();
            foreach (SyntaxNode node in tree.GetRoot().DescendantNodes())
            {
                if (model.GetOperation(node) is not IOperation root)
                {
                    continue;
                }

                foreach (IOperation operation in root.DescendantsAndSelf().Where(seen.Add))
                {
                    if (Offence(operation, map) is string what)
                    {
                        int line = operation.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                        string file = Path.IsPathRooted(tree.FilePath) ? Path.GetRelativePath(PythonWithTorch.RepositoryRoot, tree.FilePath) : tree.FilePath;
                        findings.Add($"{file}:{line}: {what} ({operation.Syntax.ToString().ReplaceLineEndings(" ")})");
                    }
                }
            }
        }

        return [.. findings];
    }

    private static string? Offence(IOperation operation, TorchSharpScalarMap map)
    {
        if (operation is IConversionOperation { OperatorMethod: IMethodSymbol conversion } && IsTorchSharp(conversion)
            && conversion.Name == "op_Implicit" && conversion.ContainingType.Name is "Scalar" or "Tensor")
        {
            return $"converts {conversion.Parameters[0].Type} to {conversion.ContainingType.Name} implicitly";
        }

        IMethodSymbol? method = operation switch
        {
            IInvocationOperation invocation => invocation.TargetMethod,
            IBinaryOperation binary => binary.OperatorMethod,
            IUnaryOperation unary => unary.OperatorMethod,
            ICompoundAssignmentOperation compound => compound.OperatorMethod,
            IObjectCreationOperation creation => creation.Constructor,
            IMethodReferenceOperation reference => reference.Method,
            IPropertyReferenceOperation property => property.Property.GetMethod,
            _ => null,
        };
        if (method is not null && IsTorchSharp(method) && map.IsUnsafeMethod(method.OriginalDefinition.MetadataToken))
        {
            return $"calls TorchSharp's {method.ContainingType.Name}.{method.Name}, which converts a number to a Scalar inside";
        }

        ITypeSymbol? made = operation switch
        {
            IObjectCreationOperation creation => creation.Type,
            IInvocationOperation invocation => invocation.TargetMethod.ReturnType,
            _ => null,
        };
        if (made is INamedTypeSymbol type && IsTorchSharp(type) && ForwardDeclarer(type) is INamedTypeSymbol declarer && map.IsUnsafeModule(declarer.OriginalDefinition.MetadataToken))
        {
            return $"makes TorchSharp's {type.Name} module, whose forward ({declarer.Name}.forward) converts a number to a Scalar inside";
        }

        return null;
    }

    /// <summary>The nearest type in <paramref name="type"/>'s base chain that declares <c>forward</c>: the one whose forward runs.</summary>
    private static INamedTypeSymbol? ForwardDeclarer(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (current.GetMembers("forward").Any(m => m is IMethodSymbol { IsAbstract: false }))
            {
                return current;
            }
        }

        return null;
    }

    private static bool IsTorchSharp(ISymbol symbol) => symbol.ContainingAssembly?.Name == "TorchSharp";
}
