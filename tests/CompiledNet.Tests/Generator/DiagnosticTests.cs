using System.Collections.Generic;
using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CompiledNet.Tests.Generator;

/// <summary>Each diagnostic the foundation reports, with the exact source text it points at.</summary>
public class DiagnosticTests
{
    private static Microsoft.CodeAnalysis.CSharp.CSharpCompilation? _last;

    private static Diagnostic Single(string source, string id)
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n" + source);
        _last = result.Output;
        var matching = result.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1, $"expected one {id}, got: {string.Join("; ", result.GeneratorDiagnostics)}");
        Assert.Empty(result.Sources); // an erroneous declaration emits no code
        return matching[0];
    }

    /// <summary>The source text a diagnostic points at (the generator reports file locations: path and span).</summary>
    private static string At(Diagnostic d)
    {
        var path = d.Location.GetLineSpan().Path;
        var tree = _last!.SyntaxTrees.Single(t => t.FilePath == path);
        return tree.GetText().ToString(d.Location.SourceSpan);
    }

    [Fact]
    public void CNET0001_ClassNotPartial_PointsAtTheClassName()
    {
        var d = Single("[Network(Input = 2)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)] public class Net { }", "CNET0001");
        Assert.Equal("Net", At(d));
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
    }

    [Fact]
    public void CNET0002_GenericClass()
        => Single("[Network(Input = 2)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)] public partial class Net<T> { }", "CNET0002");

    [Fact]
    public void CNET0003_ContainingTypeNotPartial()
    {
        var d = Single("public class Outer { [Network(Input = 2)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)] public partial class Net { } }", "CNET0003");
        Assert.Contains("Outer", d.GetMessage());
    }

    [Fact]
    public void CNET0004_InputSizeZero_PointsAtTheArgumentAndShowsTheValue()
    {
        var d = Single("[Network(Input = 0)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)] public partial class Net { }", "CNET0004");
        Assert.Equal("Input = 0", At(d));
        Assert.Contains("is 0", d.GetMessage());
    }

    [Fact]
    public void CNET0004_InputSizeMissing_PointsAtTheAttribute()
    {
        var d = Single("[Network][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)] public partial class Net { }", "CNET0004");
        Assert.Equal("Network", At(d));
    }

    [Fact]
    public void CNET0005_BatchSizeNegative()
    {
        var d = Single("[Network(Input = 2, BatchSize = -3)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)] public partial class Net { }", "CNET0005");
        Assert.Equal("BatchSize = -3", At(d));
    }

    [Fact]
    public void CNET0006_NoLayers()
        => Single("[Network(Input = 2)][Loss(LossKind.LogLoss)] public partial class Net { }", "CNET0006");

    [Fact]
    public void CNET0007_UnitsZero_PointsAtTheUnitsArgument()
    {
        var d = Single("[Network(Input = 2)][Dense(0, Activation.Tanh)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)] public partial class Net { }", "CNET0007");
        Assert.Equal("0", At(d));
        Assert.Contains("Layer 1", d.GetMessage());
    }

    [Fact]
    public void CNET0008_UndefinedActivation()
    {
        var d = Single("[Network(Input = 2)][Dense(3, (Activation)42)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)] public partial class Net { }", "CNET0008");
        Assert.Equal("(Activation)42", At(d));
        Assert.Contains("42", d.GetMessage());
    }

    [Fact]
    public void CNET0009_SoftmaxOnAHiddenLayer()
    {
        var d = Single("[Network(Input = 2)][Dense(3, Activation.Softmax)][Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class Net { }", "CNET0009");
        Assert.Equal("Activation.Softmax", At(d));
        Assert.Equal(30, d.Location.GetLineSpan().StartLinePosition.Character); // the first [Dense], not the second
    }

    [Fact]
    public void CNET0010_MissingLoss()
        => Single("[Network(Input = 2)][Dense(1, Activation.Sigmoid)] public partial class Net { }", "CNET0010");

    [Fact]
    public void CNET0011_SoftmaxCrossEntropyOnSigmoidOutput_PointsAtTheLossKind()
    {
        var d = Single("[Network(Input = 2)][Dense(3, Activation.Sigmoid)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class Net { }", "CNET0011");
        Assert.Equal("LossKind.SoftmaxCrossEntropy", At(d));
        Assert.Contains("Sigmoid with 3 unit(s)", d.GetMessage());
    }

    [Fact]
    public void CNET0011_LogLossOnSoftmaxOutput()
        => Single("[Network(Input = 2)][Dense(3, Activation.Softmax)][Loss(LossKind.LogLoss)] public partial class Net { }", "CNET0011");

    [Fact]
    public void CNET0012_LearningRateZero()
    {
        var d = Single("[Network(Input = 2)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)][Optimizer(OptimizerKind.Sgd, LearningRate = 0f)] public partial class Net { }", "CNET0012");
        Assert.Equal("LearningRate = 0f", At(d));
    }

    [Fact]
    public void CNET0013_LayersOnTwoPartialDeclarations()
    {
        var result = GeneratorHarness.Run(
            "using CompiledNet; [Network(Input = 2)][Dense(3, Activation.Tanh)][Loss(LossKind.LogLoss)] public partial class Net { }",
            "using CompiledNet; [Dense(1, Activation.Sigmoid)] public partial class Net { }");
        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == "CNET0013");
    }

    [Fact]
    public void ValidDeclarationReportsNothingAndCompiles()
    {
        var result = GeneratorHarness.Run(SnapshotTests.Xor);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }
}

public class OptimizerAndTeachingDiagnosticTests
{
    private static (Diagnostic Diagnostic, string At, bool Emitted) Find(string source, string id)
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n" + source);
        var matching = result.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1, $"expected one {id}, got: {string.Join("; ", result.GeneratorDiagnostics)}");
        var d = matching[0];
        var tree = result.Output.SyntaxTrees.Single(t => t.FilePath == d.Location.GetLineSpan().Path);
        return (d, tree.GetText().ToString(d.Location.SourceSpan), result.Sources.Count > 0);
    }

    private const string Net = "[Network(Input = 2)][Dense(3, Activation.ReLU)][Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)]";

    [Theory]
    [InlineData("Momentum = 1f", "OptimizerKind.Momentum", "in [0, 1)")]
    [InlineData("Rho = -0.1f", "OptimizerKind.RmsProp", "in [0, 1)")]
    [InlineData("Beta1 = 1.5f", "OptimizerKind.Adam", "in [0, 1)")]
    [InlineData("Beta2 = 1f", "OptimizerKind.Adam", "in [0, 1)")]
    [InlineData("Epsilon = 0f", "OptimizerKind.Adam", "> 0")]
    public void CNET0014_OptimizerHyperparameterOutOfRange_PointsAtTheArgument(string argument, string kind, string range)
    {
        var (d, at, emitted) = Find($"{Net}[Optimizer({kind}, {argument})] public partial class N {{ }}", "CNET0014");
        Assert.Equal(argument, at);
        Assert.Contains(range, d.GetMessage());
        Assert.False(emitted);
    }

    [Theory]
    [InlineData("Decay = 0f")]
    [InlineData("Decay = 1.5f")]
    [InlineData("DecayEvery = 0")]
    public void CNET0015_DecayOutOfRange(string argument)
    {
        var (_, at, _) = Find($"{Net}[Optimizer(OptimizerKind.Sgd, {argument})] public partial class N {{ }}", "CNET0015");
        Assert.Equal(argument, at);
    }

    [Theory]
    [InlineData("L2 = -0.001f")]
    [InlineData("L1 = -1f")]
    [InlineData("WeightDecay = 1f")]
    public void CNET0016_RegularizationOutOfRange(string argument)
    {
        var (d, at, _) = Find($"{Net}[Regularization({argument})] public partial class N {{ }}", "CNET0016");
        Assert.Equal(argument, at);
        Assert.Contains(argument.Split(' ')[0], d.GetMessage());
    }

    [Fact]
    public void CNET0017_HyperparameterUnusedByTheOptimizer_IsAWarningAndCodeIsStillGenerated()
    {
        var (d, at, emitted) = Find($"{Net}[Optimizer(OptimizerKind.Sgd, Beta1 = 0.8f)] public partial class N {{ }}", "CNET0017");
        Assert.Equal("Beta1 = 0.8f", at);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Contains("Adam", d.GetMessage());
        Assert.True(emitted);
    }

    [Fact]
    public void CNET0018_TooManyParameters()
    {
        var (d, _, emitted) = Find("[Network(Input = 100000)][Dense(1000, Activation.ReLU)][Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class N { }", "CNET0018");
        Assert.Contains("The parameter count is 100,003,002, above the limit of 50,000,000", d.GetMessage());
        Assert.False(emitted);
    }

    [Fact]
    public void CNET0019_QuadraticLossOnSigmoidOutput_SuggestsLogLoss()
    {
        var (d, at, emitted) = Find("[Network(Input = 1)][Dense(1, Activation.Sigmoid)][Loss(LossKind.Quadratic)] public partial class N { }", "CNET0019");
        Assert.Equal("LossKind.Quadratic", at);
        Assert.Contains("LogLoss", d.GetMessage());
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.True(emitted);
    }

    [Fact]
    public void CNET0020_ThreeSigmoidHiddenLayersInARow_IsInformation()
    {
        var (d, at, _) = Find("[Network(Input = 4)][Dense(8, Activation.ReLU)][Dense(8, Activation.Sigmoid)][Dense(8, Activation.Tanh)][Dense(8, Activation.Sigmoid)][Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class N { }", "CNET0020");
        Assert.Equal(DiagnosticSeverity.Info, d.Severity);
        Assert.Contains("Layers 2–4", d.GetMessage());
        Assert.Equal("Activation.Sigmoid", at);
    }

    [Fact]
    public void CNET0021_LayersWithoutNetworkAttribute()
    {
        var (d, at, emitted) = Find("[Dense(3, Activation.ReLU)][Dense(2, Activation.Softmax)] public partial class Orphan { }", "CNET0021");
        Assert.Equal("Orphan", at);
        Assert.False(emitted);
    }

    /// <summary>
    /// The compiler applies #pragma warning disable only to diagnostics located in a syntax tree, so the generator
    /// reports in the user's tree rather than at a bare file path. (The test project's own build relies on it:
    /// Networks/GradientCheckNetworks.cs disables CNET0019 for its deliberate quadratic-on-sigmoid networks.)
    /// </summary>
    [Fact]
    public void DiagnosticsAreLocatedInTheUsersSyntaxTreeSoPragmasApply()
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n[Network(Input = 1)][Dense(1, Activation.Sigmoid)][Loss(LossKind.Quadratic)] public partial class N { }");
        var d = Assert.Single(result.GeneratorDiagnostics, x => x.Id == "CNET0019");
        Assert.True(d.Location.IsInSource);
        Assert.Same(result.Output.SyntaxTrees.First(), d.Location.SourceTree);
    }

    [Theory]
    [InlineData("[Dense(8, Activation.ReLU, Dropout = 1f)]", "CNET0022", "Dropout = 1f")]
    [InlineData("[Dense(8, Activation.ReLU, DropConnect = -0.1f)]", "CNET0022", "DropConnect = -0.1f")]
    [InlineData("[Dense(8, Activation.Maxout)]", "CNET0025", "Activation.Maxout")]
    [InlineData("[Dense(8, Activation.Maxout, Pieces = 1)]", "CNET0025", "Pieces = 1")]
    [InlineData("[Dense(8, Activation.Maxout, Pieces = 2, BatchNorm = true)]", "CNET0026", "Activation.Maxout")]
    public void LayerOptionDiagnostics_PointAtTheArgument(string hidden, string id, string argument)
    {
        var (_, at, emitted) = Find($"[Network(Input = 4)]{hidden}[Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class N {{ }}", id);
        Assert.Equal(argument, at);
        Assert.False(emitted);
    }

    [Fact]
    public void CNET0027_BiasOnABatchNormalisedLayerIsRedundant_AndNoBiasIsGenerated()
    {
        var (d, at, emitted) = Find("[Network(Input = 4)][Dense(8, Activation.ReLU, BatchNorm = true, Bias = true)][Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class N { }", "CNET0027");
        Assert.Equal("Bias = true", at);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.True(emitted);
    }

    [Fact]
    public void CNET0023_BatchNormWithBatchSizeOne()
    {
        var (_, at, _) = Find("[Network(Input = 4, BatchSize = 1)][Dense(8, Activation.ReLU, BatchNorm = true)][Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class N { }", "CNET0023");
        Assert.Equal("BatchNorm = true", at);
    }

    [Fact]
    public void CNET0024_DropoutOnTheOutputLayer()
    {
        var (_, at, _) = Find("[Network(Input = 4)][Dense(2, Activation.Softmax, Dropout = 0.5f)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class N { }", "CNET0024");
        Assert.Equal("Dropout = 0.5f", at);
    }

    [Fact]
    public void CNET0026_MaxoutOnTheOutputLayer()
        => Find("[Network(Input = 4)][Dense(2, Activation.Maxout, Pieces = 2)][Loss(LossKind.Quadratic)] public partial class N { }", "CNET0026");

    [Fact]
    public void CNET0022_InputDropoutOutOfRange()
    {
        var (_, at, _) = Find("[Network(Input = 4, InputDropout = 1.5f)][Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class N { }", "CNET0022");
        Assert.Equal("InputDropout = 1.5f", at);
    }

    [Fact]
    public void TwoSaturatingHiddenLayersAreNotReported()
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n[Network(Input = 4)][Dense(8, Activation.Sigmoid)][Dense(8, Activation.Tanh)][Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class N { }");
        Assert.Empty(result.GeneratorDiagnostics);
    }

    [Fact]
    public void EveryDescriptorIsDocumentedAndTrackedForRelease()
    {
        string root = System.IO.Path.GetFullPath(System.IO.Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        string docs = System.IO.File.ReadAllText(System.IO.Path.Combine(root, "docs/diagnostics.md"));
        string releases = System.IO.File.ReadAllText(System.IO.Path.Combine(root, "src/Generator/AnalyzerReleases.Unshipped.md"));
        var descriptors = typeof(CompiledNet.Generator.NetworkGenerator).Assembly
            .GetType("CompiledNet.Generator.DiagnosticDescriptors")!
            .GetField("All")!.GetValue(null) as System.Collections.Generic.IReadOnlyList<DiagnosticDescriptor>;
        Assert.NotNull(descriptors);
        foreach (var d in descriptors!)
        {
            Assert.Contains($"<a id=\"{d.Id.ToLowerInvariant()}\"></a>{d.Id}", docs);
            Assert.Contains($"{d.Id} | {d.Category} | {(d.DefaultSeverity == DiagnosticSeverity.Info ? "Info" : d.DefaultSeverity.ToString())} |", releases);
            Assert.EndsWith("#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
        }
    }
}


/// <summary>
/// Declarations the generated code cannot serve: sizes beyond the limits (computed exactly, so no product wraps
/// around), a class that is not a plain non-static class, a class named like a generated member, an old language
/// version, and Pieces on a layer that is not maxout. Each is an error at the token to change, and nothing is generated.
/// </summary>
public class DeclarationDiagnosticTests
{
    private const string Output = "[Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)]";

    /// <summary>The diagnostics with <paramref name="id"/>, each with the source text it points at; asserts nothing was generated.</summary>
    private static List<(Diagnostic Diagnostic, string At)> Reported(string source, string id)
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n" + source);
        Assert.Empty(result.Sources);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "CNET9999");
        return result.GeneratorDiagnostics.Where(d => d.Id == id).Select(d =>
        {
            var tree = result.Output.SyntaxTrees.Single(t => t.FilePath == d.Location.GetLineSpan().Path);
            return (d, tree.GetText().ToString(d.Location.SourceSpan));
        }).ToList();
    }

    private static (Diagnostic Diagnostic, string At) ReportedAt(string source, string id, string at)
    {
        var all = Reported(source, id);
        var matching = all.Where(x => x.At == at).ToList();
        Assert.True(matching.Count == 1, $"expected one {id} at '{at}', got: {string.Join("; ", all.Select(x => $"'{x.At}': {x.Diagnostic.GetMessage()}"))}");
        Assert.Equal(DiagnosticSeverity.Error, matching[0].Diagnostic.Severity);
        return matching[0];
    }

    [Fact]
    public void CNET0018_MaxoutUnitsTimesPiecesBeyond32Bits_IsReportedAtPiecesWithTheExactSize()
    {
        // 3 × 1,431,655,766 = 4,294,967,298 wraps to 2 in 32-bit arithmetic: the network once built with 14 parameters.
        var (d, _) = ReportedAt($"[Network(Input = 2)][Dense(3, Activation.Maxout, Pieces = 1431655766)]{Output} public partial class N {{ }}", "CNET0018", "Pieces = 1431655766");
        Assert.Contains("Layer 1's maxout pieces buffer (BatchSize × units × Pieces = 32 × 3 × 1431655766) is 137,438,953,536, above the limit of 50,000,000", d.GetMessage());
    }

    [Fact]
    public void CNET0018_ParameterCountBeyond32Bits_IsTheExactSum()
    {
        // Weights 2 × 4,294,967,298, biases 4,294,967,298, then the output layer's 3 × 2 + 2.
        var (d, _) = ReportedAt($"[Network(Input = 2)][Dense(3, Activation.Maxout, Pieces = 1431655766)]{Output} public partial class N {{ }}", "CNET0018", "Network(Input = 2)");
        Assert.Contains("The parameter count is 12,884,901,902, above the limit of 50,000,000", d.GetMessage());
    }

    [Fact]
    public void CNET0018_BatchSizeTimesUnits_IsReportedAtTheUnits()
    {
        var (d, _) = ReportedAt($"[Network(Input = 2, BatchSize = 100000)][Dense(1000, Activation.ReLU)]{Output} public partial class N {{ }}", "CNET0018", "1000");
        Assert.Contains("Layer 1's training buffer (BatchSize × units = 100000 × 1000) is 100,000,000, above the limit of 50,000,000", d.GetMessage());
    }

    [Fact]
    public void CNET0018_BatchSizeTimesInput_IsReportedAtTheBatchSize()
    {
        var (d, _) = ReportedAt($"[Network(Input = 1000, BatchSize = 60000)][Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class N {{ }}", "CNET0018", "BatchSize = 60000");
        Assert.Contains("The input batch (BatchSize × Input = 60000 × 1000) is 60,000,000", d.GetMessage());
    }

    [Theory]
    [InlineData("[Network(Input = int.MaxValue)][Dense(2, Activation.Softmax)]", "Input = int.MaxValue", "68,719,476,704")]
    [InlineData("[Network(Input = 2, BatchSize = int.MaxValue)][Dense(2, Activation.Softmax)]", "BatchSize = int.MaxValue", "4,294,967,294")]
    [InlineData("[Network(Input = 2)][Dense(int.MaxValue, Activation.ReLU)][Dense(2, Activation.Softmax)]", "int.MaxValue", "68,719,476,704")]
    public void CNET0018_IntMaxValueSizes_AreReportedExactly(string declaration, string at, string size)
    {
        var (d, _) = ReportedAt(declaration + "[Loss(LossKind.SoftmaxCrossEntropy)] public partial class N { }", "CNET0018", at);
        Assert.Contains($"is {size}, above the limit", d.GetMessage());
    }

    [Fact]
    public void AtTheParameterLimitTheGeneratedCodeCompiles_OneParameterMoreIsReported()
    {
        // 4,999,999 × 10 weights + 10 biases = 50,000,000 parameters; Adam keeps 2 × 50,000,000 floats of state.
        const string AtLimit = "[Network(Input = 4999999, BatchSize = 10)][Dense(10, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)][Optimizer(OptimizerKind.Adam)] public partial class N { }";
        var result = GeneratorHarness.Run("using CompiledNet;\n" + AtLimit);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Contains("public const int ParameterCount = 50000000;", Assert.Single(result.Sources).Text);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var (d, _) = ReportedAt(AtLimit.Replace("4999999", "5000000"), "CNET0018", "Network(Input = 5000000, BatchSize = 10)");
        Assert.Contains("The parameter count is 50,000,010", d.GetMessage());
    }

    [Theory]
    [InlineData("public partial record Net { }", "record", "record")]
    [InlineData("public partial record class Net { }", "record class", "record")]
    [InlineData("public partial record struct Net { }", "record struct", "record struct")]
    [InlineData("public partial struct Net { }", "struct", "struct")]
    [InlineData("public partial interface Net { }", "interface", "interface")]
    public void CNET0028_NetworkOnATypeThatIsNotAClass_IsReportedAtTheKeyword(string declaration, string keyword, string kind)
    {
        var (d, _) = ReportedAt($"[Network(Input = 4)]{Output}\n{declaration}", "CNET0028", keyword);
        Assert.Contains($"'Net' is declared as a {kind}", d.GetMessage());
    }

    [Fact]
    public void CNET0029_StaticNetworkClass_IsReportedAtTheStaticKeyword()
    {
        var (d, _) = ReportedAt($"[Network(Input = 4)]{Output} public static partial class Net {{ }}", "CNET0029", "static");
        Assert.Contains("'Net' is static", d.GetMessage());
    }

    [Theory]
    [InlineData("Input", "has a member of that name")]
    [InlineData("Output", "has a member of that name")]
    [InlineData("InputSize", "has a member of that name")]
    [InlineData("Predict", "has a member of that name")]
    [InlineData("Forward_L1", "per-layer")]
    [InlineData("_net", "reserved for the generated class's fields")]
    [InlineData("var", "all-lowercase")]
    [InlineData("nuint", "all-lowercase")]
    [InlineData("EndPopulationStatistics", "has a member of that name")]
    public void CNET0030_ClassNamedLikeAGeneratedMemberOrAKeyword_IsReportedAtTheName(string name, string reason)
    {
        var (d, _) = ReportedAt($"[Network(Input = 4)]{Output} public partial class {name} {{ }}", "CNET0030", name);
        Assert.Contains($"cannot be named '{name}'", d.GetMessage());
        Assert.Contains(reason, d.GetMessage());
    }

    [Fact]
    public void CNET0030_EnclosingTypeNamedVar_IsReportedAtItsName()
    {
        var (d, _) = ReportedAt($"public partial class var {{ [Network(Input = 4)]{Output} public partial class Net {{ }} }}", "CNET0030", "var");
        Assert.Contains("A type enclosing the network cannot be named 'var'", d.GetMessage());
    }

    [Fact]
    public void CNET0030_NamespaceNamedNint_IsReportedAtThatPartOfTheName()
    {
        var (d, _) = ReportedAt($"namespace My.nint;\n[Network(Input = 4)]{Output} public partial class Net {{ }}", "CNET0030", "nint");
        Assert.Contains("A namespace containing the network cannot be named 'nint'", d.GetMessage());
    }

    [Fact]
    public void NamespaceWithAnEscapedKeyword_GeneratesCodeThatCompiles()
    {
        var result = GeneratorHarness.Run($"using CompiledNet;\nnamespace @event.Nets;\n[Network(Input = 4)]{Output} public partial class Net {{ }}");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Single(result.Sources);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void CNET0031_LanguageVersionBelowCSharp12_IsReportedAtTheNetworkAttribute()
    {
        var result = LanguageVersionTests.Run(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp11, $"using CompiledNet;\n[Network(Input = 4)]{Output} public partial class Net {{ }}");
        Assert.Empty(result.Sources);
        var d = Assert.Single(result.Diagnostics, x => x.Id == "CNET0031");
        Assert.Equal("Network(Input = 4)", d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
        Assert.Contains("needs C# 12.0 or later, but the project compiles C# 11.0", d.GetMessage());
    }

    [Theory]
    [InlineData("Activation.ReLU", "Pieces = 3", "ReLU")]
    [InlineData("Activation.Tanh", "Pieces = 1", "Tanh")]
    [InlineData("Activation.Linear", "Pieces = 1431655766", "Linear")]
    public void CNET0032_PiecesOnALayerThatIsNotMaxout_IsReportedAtPieces(string activation, string pieces, string name)
    {
        var (d, _) = ReportedAt($"[Network(Input = 4)][Dense(8, {activation}, {pieces})]{Output} public partial class N {{ }}", "CNET0032", pieces);
        Assert.Contains($"Layer 1 sets {pieces}, but its activation is {name}", d.GetMessage());
    }

    [Fact]
    public void BatchNormOnTheOutputLayer_IsAllowedAndCompiles()
    {
        var result = GeneratorHarness.Run($"using CompiledNet;\n[Network(Input = 4, BatchSize = 8)][Dense(6, Activation.ReLU)][Dense(3, Activation.Softmax, BatchNorm = true)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class N {{ }}");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Single(result.Sources);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }
}
