using System;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
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


    // The declarations below exist to cover every emitter path between them (see each one's comment); their
    // snapshots pin the generated text, so a restructuring of the emitter that changes any output shows up here.

    // A batch large enough to split across threads, with batch norm (the split step's segments), dropout and
    // DropConnect on a batch-normalised layer and dropout on the input (masks drawn before the parts run; DropConnect
    // keeps the step split by rows), Adam with decoupled weight decay, and more than 65,536 parameters (the optimizer
    // step shared among the parts too).
    public const string SplitBatchNorm = """
        using CompiledNet;
        namespace Samples.Split;

        [Network(Input = 300, BatchSize = 16, InputDropout = 0.1f)]
        [Dense(256, Activation.ReLU, BatchNorm = true, Dropout = 0.2f, DropConnect = 0.1f)]
        [Dense(10, Activation.Softmax)]
        [Loss(LossKind.SoftmaxCrossEntropy)]
        [Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]
        [Regularization(WeightDecay = 0.0005f)]
        public partial class SplitBatchNormNet { }
        """;

    // A split step without batch norm (one phase per part), hidden activations too many for the stack (a per-thread
    // buffer), Nesterov momentum shared among the parts, a linear output with the quadratic loss.
    public const string Wide = """
        using CompiledNet;
        namespace Samples.Split;

        [Network(Input = 2, BatchSize = 8)]
        [Dense(16400, Activation.ReLU)]
        [Dense(3, Activation.Linear)]
        [Loss(LossKind.Quadratic)]
        [Optimizer(OptimizerKind.Nesterov, LearningRate = 0.01f, Momentum = 0.8f)]
        public partial class WideNet { }
        """;

    // Maxout with DropConnect, a tanh layer without bias with dropout, a single sigmoid output with log-loss, a
    // batch smaller than a block of forward rows, momentum with a step-decay schedule, L1 and L2 together.
    public const string Maxout = """
        using CompiledNet;
        namespace Samples;

        [Network(Input = 5, BatchSize = 3)]
        [Dense(6, Activation.Maxout, Pieces = 3, DropConnect = 0.3f)]
        [Dense(7, Activation.Tanh, Bias = false, Dropout = 0.25f)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        [Optimizer(OptimizerKind.Momentum, LearningRate = 0.1f, Decay = 0.9f, DecayEvery = 2)]
        [Regularization(L1 = 0.001f, L2 = 0.01f)]
        public partial class MaxoutNet { }
        """;

    // Batch norm on a network that trains on one thread, a sigmoid hidden layer, a linear output without bias,
    // Adagrad with L2.
    public const string Adagrad = """
        using CompiledNet;
        namespace Samples;

        [Network(Input = 3, BatchSize = 4)]
        [Dense(5, Activation.Sigmoid, BatchNorm = true)]
        [Dense(2, Activation.Linear, Bias = false)]
        [Loss(LossKind.Quadratic)]
        [Optimizer(OptimizerKind.Adagrad, LearningRate = 0.1f)]
        [Regularization(L2 = 0.001f)]
        public partial class AdagradNet { }
        """;

    // Dropout on a ReLU layer of a one-thread network, softmax, RMSProp with weight decay and L1.
    public const string RmsProp = """
        using CompiledNet;
        namespace Samples;

        [Network(Input = 4, BatchSize = 2)]
        [Dense(3, Activation.ReLU, Dropout = 0.5f)]
        [Dense(3, Activation.Softmax)]
        [Loss(LossKind.SoftmaxCrossEntropy)]
        [Optimizer(OptimizerKind.RmsProp, LearningRate = 0.01f, Rho = 0.95f)]
        [Regularization(WeightDecay = 0.001f, L1 = 0.0001f)]
        public partial class RmsPropNet { }
        """;

    // Convolution and pooling layers: a padded convolution with bias over two channels, max pooling (its arg-max
    // kept for backward), a strided convolution without bias and Tanh (its input gradient folded back), average
    // pooling, the flattening first dense layer; Adam with L2; a batch that splits across threads.
    public const string Conv = """
        using CompiledNet;
        namespace Samples.Vision;

        [Network(Channels = 2, Height = 12, Width = 12, BatchSize = 16)]
        [Conv2D(8, Kernel = 3, Padding = 1)]
        [MaxPool(2)]
        [Conv2D(12, KernelHeight = 3, KernelWidth = 1, Activation = Activation.Tanh, Bias = false)]
        [AvgPool(2)]
        [Dense(10, Activation.Softmax)]
        [Loss(LossKind.SoftmaxCrossEntropy)]
        [Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]
        [Regularization(L2 = 0.0001f)]
        public partial class ConvNet { }
        """;

    // Per-channel batch norm and element-wise dropout on a convolution (its batch step between the parts of a split
    // step), dropout alone on a second one; momentum.
    public const string ConvBatchNorm = """
        using CompiledNet;
        namespace Samples.Vision;

        [Network(Channels = 1, Height = 16, Width = 16, BatchSize = 16)]
        [Conv2D(16, Kernel = 3, Padding = 1, BatchNorm = true, Dropout = 0.1f)]
        [MaxPool(2)]
        [Conv2D(16, Kernel = 3, Activation = Activation.Tanh, Dropout = 0.2f)]
        [Dense(10, Activation.Softmax)]
        [Loss(LossKind.SoftmaxCrossEntropy)]
        [Optimizer(OptimizerKind.Momentum, LearningRate = 0.01f)]
        public partial class ConvBatchNormNet { }
        """;

    // A 3×3 convolution on 8 channels followed by 2×2 max pooling: inference runs the pair through Winograd's
    // F(2×2, 3×3) (training keeps the unfolded product); SGD.
    public const string Winograd = """
        using CompiledNet;
        namespace Samples.Vision;

        [Network(Channels = 8, Height = 8, Width = 8, BatchSize = 8)]
        [Conv2D(16, Kernel = 3, Padding = 1)]
        [MaxPool(2)]
        [Dense(10, Activation.Softmax)]
        [Loss(LossKind.SoftmaxCrossEntropy)]
        public partial class WinogradNet { }
        """;

    // A split step shares the hidden layers' inputs (their weight rows) among the threads; the calling thread adds the
    // parts' outputs, runs batch norm, the activation and dropout over the whole batch (first hidden layer) or adds the
    // bias and activates (second), and runs the output layer, the loss and the derivatives.
    public const string InputSplit = """
        using CompiledNet;
        namespace Samples.Inputs;

        [Network(Input = 100, BatchSize = 64)]
        [Dense(130, Activation.ReLU, BatchNorm = true, Dropout = 0.2f)]
        [Dense(40, Activation.Tanh)]
        [Dense(2, Activation.Softmax)]
        [Loss(LossKind.SoftmaxCrossEntropy)]
        [Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
        public partial class InputSplitNet { }
        """;

    /// <summary>Every snapshot declaration with its snapshot's name.</summary>
    public static readonly (string Name, string Source)[] All =
    {
        ("XorNet", Xor), ("TinyClassifier", Classifier), ("Regressor", Regression),
        ("SplitBatchNormNet", SplitBatchNorm), ("WideNet", Wide), ("MaxoutNet", Maxout), ("AdagradNet", Adagrad), ("RmsPropNet", RmsProp),
        ("ConvNet", Conv), ("ConvBatchNormNet", ConvBatchNorm), ("WinogradNet", Winograd), ("InputSplitNet", InputSplit),
    };

    private static string Generate(string source)
    {
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
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
    public void SplitBatchNormSnapshot_SplitStepSegmentsMasksAndDropConnectDrawnFirstAdamWeightDecaySharedOptimizerStep() => SnapshotAssert.Matches("SplitBatchNormNet", Generate(SplitBatchNorm));

    [Fact]
    public void WideSnapshot_SplitStepWithoutBatchNormPerThreadHiddenBufferNesterov() => SnapshotAssert.Matches("WideNet", Generate(Wide));

    [Fact]
    public void MaxoutSnapshot_DropConnectNoBiasDropoutSingleSigmoidLogLossMomentumScheduleL1L2() => SnapshotAssert.Matches("MaxoutNet", Generate(Maxout));

    [Fact]
    public void AdagradSnapshot_OneThreadBatchNormLinearOutputWithoutBiasL2() => SnapshotAssert.Matches("AdagradNet", Generate(Adagrad));

    [Fact]
    public void RmsPropSnapshot_ReLUDropoutSoftmaxWeightDecayL1() => SnapshotAssert.Matches("RmsPropNet", Generate(RmsProp));

    [Fact]
    public void ConvSnapshot_PaddedConvMaxPoolStridedConvWithoutBiasAvgPoolFlattenAdamL2() => SnapshotAssert.Matches("ConvNet", Generate(Conv));

    [Fact]
    public void ConvBatchNormSnapshot_PerChannelBatchNormAndDropoutOnConvolutionsSplitStepSegmentsMomentum() => SnapshotAssert.Matches("ConvBatchNormNet", Generate(ConvBatchNorm));

    [Fact]
    public void WinogradSnapshot_ConvolutionAndMaxPoolingInferredTogether() => SnapshotAssert.Matches("WinogradNet", Generate(Winograd));

    [Fact]
    public void InputSplitSnapshot_HiddenLayerInputsSharedAmongThreadsBatchNormAndDropoutOnTheCallingThread() => SnapshotAssert.Matches("InputSplitNet", Generate(InputSplit));

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
        int checkedMethods = 0;
        foreach (var (name, source) in All)
        {
            var lines = Generate(source).Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (!line.StartsWith("private ") || !line.Contains('(') || line.Contains(" = ")) continue;
                if (!Regex.IsMatch(line, @"_L\d+\(")) continue;
                int before = i - 1;
                while (lines[before].TrimStart().StartsWith('[')) before--; // the member's attributes
                string previous = lines[before].Trim();
                Assert.True(
                    Regex.IsMatch(previous, @"^/// <summary>Layer \d+: Dense \d+ → \d+ \w+.* — .+ Parameters: weights \[\d+\.\.\d+\)"),
                    $"{name}, line {i + 1}: {line}\nis preceded by: {previous}");
                checkedMethods++;
            }
        }
        Assert.True(checkedMethods > 100, $"only {checkedMethods} per-layer methods found");
    }

    /// <summary>Text of the emitter's own notation that must never reach generated code.</summary>
    private static readonly string[] TemplateNotation = { "LOAD(", "LOADAT(", "STORE(", "STOREAT(", "SQRT(", "SHRINK(", "ZERO", "ONE" };

    [Fact]
    public void NoTemplateMacroOrPlaceholderSurvivesIntoGeneratedCode()
    {
        foreach (var (name, source) in All)
        {
            var lines = Generate(source).Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                // Comments are prose (they may say "NONE" or quote {braces}); the check is on code.
                string code = lines[i];
                int comment = code.IndexOf("//", StringComparison.Ordinal);
                if (comment >= 0) code = code.Substring(0, comment);
                foreach (var macro in TemplateNotation)
                    Assert.False(Regex.IsMatch(code, @"(?<![A-Za-z0-9_])" + Regex.Escape(macro) + (char.IsLetter(macro[macro.Length - 1]) ? @"(?![A-Za-z0-9_])" : "")),
                        $"{name}, line {i + 1}: template notation {macro} in: {lines[i].Trim()}");
                // A {name} placeholder outside an interpolated string ($"…{x}…" is legitimate C#).
                string outsideStrings = Regex.Replace(code, @"\$?""(?:[^""\\]|\\.)*""", "\"\"");
                Assert.False(Regex.IsMatch(outsideStrings, @"\{[A-Za-z_][A-Za-z0-9_]*\}"),
                    $"{name}, line {i + 1}: placeholder in: {lines[i].Trim()}");
            }
        }
    }
}
