using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CompiledNet.Tests.Generator;

/// <summary>
/// Generated code names every BCL and runtime type from global::, so a user type of the same name beside the network
/// (in its namespace, or in the global namespace for a network without one) cannot change what it binds to.
/// </summary>
public class NameHygieneTests
{
    /// <summary>User types named like every type generated code uses.</summary>
    private const string ClashingTypes = """

        public class Math { }
        public class MathF { }
        public class Array { }
        public class Span { }
        public class ReadOnlySpan { }
        public class MemoryMarshal { }
        public class Unsafe { }
        public class Vector256 { }
        public class Vector256<T> { }
        public class Kernels { }
        public class ArgumentException { }
        public class ArgumentNullException { }
        public class ArgumentOutOfRangeException { }
        public class InvalidOperationException { }
        public class ThreadStaticAttribute : global::System.Attribute { }
        public class InlineArrayAttribute : global::System.Attribute { }
        public class WorkerPool { }
        public class Rng { }
        """;

    public static TheoryData<string> Declarations()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in SnapshotTests.All) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Declarations))]
    public void NetworkCompilesBesideUserTypesNamedLikeTheTypesItUses(string name)
    {
        string declaration = SnapshotTests.All.Single(d => d.Name == name).Source;
        // A type named System in the network's namespace hides the System namespace from unqualified names there.
        // (In the global namespace it would hide it from global:: too, breaking the user's own code: not tested.)
        string source = declaration + ClashingTypes + (declaration.Contains("namespace ") ? "public class System { }\n" : "");
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.Sources);
        var errors = result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, $"{name} next to user types named Math, Span, Unsafe, Kernels…:\n" + string.Join("\n", errors.Take(10)));
    }
}
