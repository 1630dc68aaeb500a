using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using CompiledNet.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace CompiledNet.Tests.Generator;

/// <summary>
/// The generated code needs C# 12 (its Input and Output types are inline arrays): it compiles at 12 and not at 11,
/// so the generator reports CNET0031 below 12 instead of emitting code that fails.
/// </summary>
public class LanguageVersionTests
{
    /// <summary>Networks that together use every layer option, optimizer state and the split step.</summary>
    public static readonly string[] Declarations =
    {
        "[Network(Input = 2, BatchSize = 4)][Dense(3, Activation.Tanh)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)]",
        "[Network(Input = 64, BatchSize = 64, InputDropout = 0.1f)][Dense(256, Activation.ReLU, BatchNorm = true, Dropout = 0.2f)][Dense(12, Activation.Maxout, Pieces = 3, DropConnect = 0.1f, Bias = false)][Dense(10, Activation.Softmax, BatchNorm = true)][Loss(LossKind.SoftmaxCrossEntropy)][Optimizer(OptimizerKind.Adam, LearningRate = 0.001f, Decay = 0.9f)][Regularization(L2 = 0.001f, L1 = 0.001f, WeightDecay = 0.01f)]",
        "[Network(Input = 4, BatchSize = 1)][Dense(5, Activation.Linear)][Dense(3, Activation.Linear)][Loss(LossKind.Quadratic)][Optimizer(OptimizerKind.Nesterov)]",
    };

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(NetworkAttribute).Assembly.Location);
        paths.Add(typeof(ITrainable).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    private static CSharpCompilation Compile(LanguageVersion version, params string[] sources)
        => CSharpCompilation.Create("UserAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(version), path: $"Network{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public sealed record Result(IReadOnlyList<string> Sources, ImmutableArray<Diagnostic> Diagnostics, Compilation Output);

    /// <summary>Runs the generator and the analyzer over sources parsed as C# <paramref name="version"/>.</summary>
    public static Result Run(LanguageVersion version, params string[] sources)
    {
        var compilation = Compile(version, sources);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: new CSharpParseOptions(version));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var run = driver.GetRunResult();
        return new Result(run.Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString()).ToList(), GeneratorHarness.Analyze(output).AddRange(run.Diagnostics), output);
    }

    private static List<Diagnostic> ErrorsInGeneratedCode(LanguageVersion version, string user, string generated)
        => Compile(version, user, generated).GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath == "Network1.cs").ToList();

    [Fact]
    public void GeneratedCodeCompilesAsCSharp12_AndNotAsCSharp11()
    {
        foreach (var declaration in Declarations)
        {
            string user = "using CompiledNet;\n" + declaration + "\npublic partial class N { }";
            var result = Run(LanguageVersion.Latest, user);
            string generated = Assert.Single(result.Sources);

            var at12 = ErrorsInGeneratedCode(LanguageVersion.CSharp12, user, generated);
            Assert.True(at12.Count == 0, $"{declaration}\n{string.Join("\n", at12.Take(5))}");
            var at11 = ErrorsInGeneratedCode(LanguageVersion.CSharp11, user, generated);
            Assert.Contains(at11, d => d.GetMessage().Contains("inline arrays"));
        }
    }

    [Fact]
    public void AsCSharp12TheGeneratorEmitsCodeThatCompiles()
    {
        var result = Run(LanguageVersion.CSharp12, "using CompiledNet;\n" + Declarations[1] + "\npublic partial class N { }");
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.Sources);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}

/// <summary>The reserved class names (CNET0030) keep up with the members the generated class really declares.</summary>
public class ReservedNameTests
{
    /// <summary>Every member name of generated classes that use every option, each tried as the network class's own name.</summary>
    [Fact]
    public void EveryMemberNameOfTheGeneratedClassIsRejectedAsTheClassName()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var declaration in LanguageVersionTests.Declarations)
        {
            var result = GeneratorHarness.Run("using CompiledNet;\n" + declaration + "\npublic partial class N { }");
            var root = CSharpSyntaxTree.ParseText(Assert.Single(result.Sources).Text).GetRoot();
            var generated = root.DescendantNodes().OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.ValueText == "N");
            foreach (var member in generated.Members)
            {
                switch (member)
                {
                    case BaseTypeDeclarationSyntax t: names.Add(t.Identifier.ValueText); break;
                    case MethodDeclarationSyntax m when m.ExplicitInterfaceSpecifier is null: names.Add(m.Identifier.ValueText); break;
                    case PropertyDeclarationSyntax p when p.ExplicitInterfaceSpecifier is null: names.Add(p.Identifier.ValueText); break;
                    case FieldDeclarationSyntax f: foreach (var v in f.Declaration.Variables) names.Add(v.Identifier.ValueText); break;
                }
            }
        }
        Assert.True(names.Count > 60, $"only {names.Count} members found");
        var accepted = names.Where(name =>
        {
            var result = GeneratorHarness.Run($"using CompiledNet;\n{LanguageVersionTests.Declarations[0]}\npublic partial class {name} {{ }}");
            return !result.Diagnostics.Any(d => d.Id == "CNET0030");
        }).ToList();
        Assert.True(accepted.Count == 0, "generated members not reserved as class names: " + string.Join(", ", accepted));
    }

    [Theory]
    [InlineData("Net")]
    [InlineData("Inputs")]
    [InlineData("MyPredictor")]
    [InlineData("Layer_L")]
    [InlineData("Segment")]
    public void OrdinaryNamesAreAccepted(string name)
    {
        var result = GeneratorHarness.Run($"using CompiledNet;\n{LanguageVersionTests.Declarations[0]}\npublic partial class {name} {{ }}");
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.Sources);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
