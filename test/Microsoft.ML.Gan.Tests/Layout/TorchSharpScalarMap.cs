using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Microsoft.ML.Gan.Tests.Layout;

/// <summary>
/// Which of TorchSharp's own methods make a <c>Scalar</c> that nothing keeps alive, read from TorchSharp.dll's IL. In
/// TorchSharp 0.107 a <c>Scalar</c> made by an implicit conversion (or by <c>ToScalar()</c> and not disposed)
/// is released by its finalizer; the JIT may treat it as dead once its handle is read, so a garbage collection during
/// the native call frees it while libtorch still reads it ("Expected false to be true", "Unknown scalar type", SIGSEGV).
/// <c>Tensor.add(Tensor)</c> is one: it calls <c>add(target, 1)</c>. A method is listed when its body converts a value to a
/// Scalar, or calls a listed method (within TorchSharp). Whether it disposes the Scalar is not read: the map errs on the side of
/// listing a method.
/// </summary>
internal sealed class TorchSharpScalarMap
{
    private static readonly Lazy<TorchSharpScalarMap> Loaded = new(() => new TorchSharpScalarMap(typeof(TorchSharp.torch).Assembly.Location));

    private readonly HashSet<int> _unsafeMethods = [];
    private readonly HashSet<int> _unsafeModuleTypes = [];

    public static TorchSharpScalarMap Instance => Loaded.Value;

    /// <summary>Methods of TorchSharp (by metadata token) that create an unrooted Scalar, directly or through another.</summary>
    public IReadOnlyCollection<int> UnsafeMethods => _unsafeMethods;

    public bool IsUnsafeMethod(int metadataToken) => _unsafeMethods.Contains(metadataToken);

    /// <summary>TorchSharp module types (by metadata token) whose <c>forward</c> creates an unrooted Scalar.</summary>
    public bool IsUnsafeModule(int metadataToken) => _unsafeModuleTypes.Contains(metadataToken);

    private TorchSharpScalarMap(string assemblyPath)
    {
        using FileStream stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        MetadataReader metadata = pe.GetMetadataReader();
        Dictionary<short, OperandType> operands = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(op => op.Value, op => op.OperandType);

        // Calls within TorchSharp, by method definition; calls out of it (to System.*, say) are kept as "creates" or not.
        var calls = new Dictionary<MethodDefinitionHandle, List<MethodDefinitionHandle>>();
        var direct = new HashSet<MethodDefinitionHandle>();
        foreach (MethodDefinitionHandle handle in metadata.MethodDefinitions)
        {
            MethodDefinition method = metadata.GetMethodDefinition(handle);
            var callees = new List<MethodDefinitionHandle>();
            calls[handle] = callees;
            if (method.RelativeVirtualAddress == 0)
            {
                continue;
            }

            bool creates = false;
            BlobReader il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader();
            while (il.RemainingBytes > 0)
            {
                short code = il.ReadByte();
                if (code == 0xFE)
                {
                    code = unchecked((short)(0xFE00 | il.ReadByte()));
                }

                OperandType operand = operands[code];
                if (operand != OperandType.InlineMethod)
                {
                    Skip(ref il, operand);
                    continue;
                }

                EntityHandle target = MetadataTokens.EntityHandle(il.ReadInt32());
                (string type, string name) = Describe(metadata, target);
                creates |= (type == "TorchSharp.Scalar" && name == "op_Implicit") || (type == "TorchSharp.ScalarExtensionMethods" && name == "ToScalar");
                if (Definition(metadata, target) is MethodDefinitionHandle callee)
                {
                    callees.Add(callee);
                }
            }

            if (creates)
            {
                direct.Add(handle);
            }
        }

        var unsafeMethods = new HashSet<MethodDefinitionHandle>(direct);
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach ((MethodDefinitionHandle method, List<MethodDefinitionHandle> callees) in calls)
            {
                if (!unsafeMethods.Contains(method) && callees.Any(unsafeMethods.Contains))
                {
                    changed |= unsafeMethods.Add(method);
                }
            }
        }

        foreach (MethodDefinitionHandle method in unsafeMethods)
        {
            _unsafeMethods.Add(MetadataTokens.GetToken(method));
            MethodDefinition definition = metadata.GetMethodDefinition(method);
            if (metadata.GetString(definition.Name) == "forward")
            {
                _unsafeModuleTypes.Add(MetadataTokens.GetToken(definition.GetDeclaringType()));
            }
        }
    }

    private static MethodDefinitionHandle? Definition(MetadataReader metadata, EntityHandle target) => target.Kind switch
    {
        HandleKind.MethodDefinition => (MethodDefinitionHandle)target,
        HandleKind.MethodSpecification => Definition(metadata, metadata.GetMethodSpecification((MethodSpecificationHandle)target).Method),
        // A member of a generic TorchSharp type instantiated (Module<Tensor, Tensor>.call): its definition by name and signature shape is
        // not needed here, because the calls that matter (operators, add, leaky_relu) are on non-generic types.
        _ => null,
    };

    private static (string Type, string Name) Describe(MetadataReader metadata, EntityHandle target)
    {
        switch (target.Kind)
        {
            case HandleKind.MethodDefinition:
                MethodDefinition method = metadata.GetMethodDefinition((MethodDefinitionHandle)target);
                TypeDefinition type = metadata.GetTypeDefinition(method.GetDeclaringType());
                return (metadata.GetString(type.Namespace) + "." + metadata.GetString(type.Name), metadata.GetString(method.Name));
            case HandleKind.MemberReference:
                MemberReference member = metadata.GetMemberReference((MemberReferenceHandle)target);
                string parent = member.Parent.Kind == HandleKind.TypeReference
                    ? metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)member.Parent).Namespace) + "." + metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)member.Parent).Name)
                    : "";
                return (parent, metadata.GetString(member.Name));
            case HandleKind.MethodSpecification:
                return Describe(metadata, metadata.GetMethodSpecification((MethodSpecificationHandle)target).Method);
            default:
                return ("", "");
        }
    }

    private static void Skip(ref BlobReader il, OperandType operand)
    {
        switch (operand)
        {
            case OperandType.InlineNone:
                break;
            case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                il.Offset += 1;
                break;
            case OperandType.InlineVar:
                il.Offset += 2;
                break;
            case OperandType.InlineI8 or OperandType.InlineR:
                il.Offset += 8;
                break;
            case OperandType.InlineSwitch:
                int targets = il.ReadInt32();
                il.Offset += 4 * targets;
                break;
            default:
                il.Offset += 4;
                break;
        }
    }
}
