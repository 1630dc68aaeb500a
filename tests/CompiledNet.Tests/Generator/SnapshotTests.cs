using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CompiledNet.Tests.Generator;

public class SnapshotTests
{
    public const string Xor = """
        using CompiledNet;
        namespace Samples;

        [Network(Input = 2, BatchSize = 4)]
        [Dense(4, Activation.Tanh)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        [Optimizer(OptimizerKind.Sgd, LearningRate = 0.5f)]
        public partial class XorNet { }
        """;

    public const string Classifier = """
        using CompiledNet;
        namespace Samples.Vision;

        [Network(Input = 3, BatchSize = 8)]
        [Dense(10, Activation.ReLU, Init = WeightInit.He)]
        [Dense(3, Activation.Softmax)]
        [Loss(LossKind.SoftmaxCrossEntropy)]
        [Optimizer(OptimizerKind.Sgd, LearningRate = 0.05f)]
        internal partial class TinyClassifier { }
        """;

    public const string Regression = """
        using CompiledNet;

        public static partial class Models
        {
            [Network(Input = 4, BatchSize = 1)]
            [Dense(9, Activation.Sigmoid, Init = WeightInit.Glorot)]
            [Dense(2, Activation.Linear)]
            [Loss(LossKind.Quadratic)]
            [Optimizer(OptimizerKind.Sgd, LearningRate = 0.001f)]
            public partial class Regressor { }
        }
        """;

    private static string Generate(string source)
    {
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        var errors = result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "generated code does not compile:\n" + string.Join("\n", errors.Take(10)));
        return Assert.Single(result.Sources).Text;
    }

    [Fact]
    public void XorNetworkSnapshot_TanhHiddenSigmoidOutputLogLoss() => SnapshotAssert.Matches("XorNet", Generate(Xor));

    [Fact]
    public void ClassifierSnapshot_ReLUHiddenSoftmaxOutputCrossEntropy() => SnapshotAssert.Matches("TinyClassifier", Generate(Classifier));

    [Fact]
    public void RegressorSnapshot_NestedClassSigmoidHiddenLinearOutputQuadratic() => SnapshotAssert.Matches("Regressor", Generate(Regression));

    [Fact]
    public void GeneratedSourceIsIndependentOfTheBuildMachinesCulture()
    {
        var finnish = CultureInfo.GetCultureInfo("fi-FI");
        // fi-FI writes a decimal comma and U+2212 for minus: a culture-sensitive emitter would produce other text.
        Assert.Equal("\u22121,5", (-1.5f).ToString(finnish));
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = finnish;
            CultureInfo.CurrentUICulture = finnish;
            SnapshotAssert.Matches("Regressor", Generate(Regression));
            SnapshotAssert.Matches("TinyClassifier", Generate(Classifier));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = saved;
        }
    }

    [Fact]
    public void EveryGeneratedMethodStartsWithACommentNamingItsLayerAndPass()
    {
        var lines = Generate(Classifier).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith("private ") || !line.Contains('(') || line.Contains(" = ")) continue;
            if (!System.Text.RegularExpressions.Regex.IsMatch(line, @"_L\d+\(")) continue;
            string previous = lines[i - 1].Trim();
            Assert.Matches(@"^/// <summary>Layer \d+: Dense \d+ → \d+ \w+ — .+ Parameters|weights \[\d+\.\.\d+\)", previous);
        }
    }
}
