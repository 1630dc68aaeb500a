using System.Threading.Tasks;
using CompiledNet.Generator;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace CompiledNet.CodeFixes.Tests;

/// <summary>
/// The analyzer's categories as a team uses them: an .editorconfig in the project, read by the workspace the way the
/// IDE and the build read it.
/// </summary>
public class EditorConfigTests
{
    private const string Declaration = """
        using CompiledNet;

        [Network(Input = 4)]
        [Dense(8, Activation.Tanh)]
        [Dense(8, Activation.Tanh)]
        [Dense(8, Activation.Tanh)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.Quadratic)]
        [Optimizer(OptimizerKind.Sgd, Beta1 = 0.8f)]
        public partial class Net { }
        """;

    private static CSharpAnalyzerTest<NetworkAnalyzer, DefaultVerifier> Test(string source, string? editorConfig)
    {
        var test = new CSharpAnalyzerTest<NetworkAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(FixTest<MakePartialCodeFixProvider>.References.Value);
        if (editorConfig != null) test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig));
        return test;
    }

    [Fact]
    public Task WithoutConfiguration_TheTrainingAdviceAndTheDeclarationWarningAreReported() => Test(
        Declaration
            .Replace("[Dense(8, Activation.Tanh)]\n[Dense(8, Activation.Tanh)]", "[Dense(8, {|CNET0020:Activation.Tanh|})]\n[Dense(8, Activation.Tanh)]")
            .Replace("Loss(LossKind.Quadratic)", "Loss({|CNET0019:LossKind.Quadratic|})")
            .Replace("Beta1 = 0.8f", "{|CNET0017:Beta1 = 0.8f|}"),
        editorConfig: null).RunAsync();

    [Fact]
    public Task TrainingCategorySetToNone_SilencesTheAdvice_AndKeepsTheDeclarationWarning() => Test(
        Declaration.Replace("Beta1 = 0.8f", "{|CNET0017:Beta1 = 0.8f|}"),
        "dotnet_analyzer_diagnostic.category-CompiledNet.Training.severity = none\n").RunAsync();
}
