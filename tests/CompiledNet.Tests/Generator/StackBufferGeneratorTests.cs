using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace CompiledNet.Tests.Generator;

/// <summary>
/// The stack budget of one-row inference as the generated text shows it: every stackalloc takes at most 16,384 floats
/// (64 KiB), and a buffer that would be larger is a per-thread field instead.
/// </summary>
public class StackBufferGeneratorTests
{
    private const int StackFloats = 16384;

    private static string Generate(string declaration)
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n" + declaration);
        Assert.Empty(result.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
        return Assert.Single(result.Sources).Text;
    }

    /// <summary>Floats of every stackalloc of the text (a literal size, or OutputSize of the network).</summary>
    private static int[] StackallocSizes(string source, int outputSize)
        => Regex.Matches(source, @"stackalloc float\[([^\]]+)\]")
            .Select(m => m.Groups[1].Value == "OutputSize" ? outputSize : int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();

    [Theory]
    [InlineData("[Network(Input = 3, BatchSize = 2)] [Dense(8, Activation.Tanh)] [Dense(30000, Activation.Linear)] [Loss(LossKind.Quadratic)] public partial class N { }", 30000)]
    [InlineData("[Network(Input = 3, BatchSize = 2)] [Dense(6000, Activation.Maxout, Pieces = 3)] [Dense(2, Activation.Linear)] [Loss(LossKind.Quadratic)] public partial class N { }", 2)]
    [InlineData("[Network(Input = 3, BatchSize = 2)] [Dense(2000, Activation.Maxout, Pieces = 9)] [Dense(14500, Activation.ReLU)] [Dense(10, Activation.ReLU)] [Dense(5500, Activation.Softmax)] [Loss(LossKind.SoftmaxCrossEntropy)] public partial class N { }", 5500)]
    public void EveryStackallocOfALargeNetworkStaysWithin64KiB(string declaration, int outputSize)
    {
        var source = Generate(declaration);
        var sizes = StackallocSizes(source, outputSize);
        Assert.All(sizes, floats => Assert.True(floats <= StackFloats, $"stackalloc of {floats} floats"));
    }

    [Fact]
    public void OutputsTooManyForTheStackGoToOnePerThreadBufferOfThreeParts()
    {
        var source = Generate("[Network(Input = 3, BatchSize = 2)] [Dense(8, Activation.Tanh)] [Dense(6000, Activation.Softmax)] [Loss(LossKind.SoftmaxCrossEntropy)] public partial class N { }");
        Assert.Contains("[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? t_outputs;", source);
        Assert.DoesNotContain("stackalloc float[OutputSize]", source);
        Assert.Contains("(t_outputs ??= global::CompiledNet.CompilerServices.AlignedBuffer.Allocate(18000)).Slice(12000, OutputSize)", source);
    }

    [Fact]
    public void OutputsThatFitTheStackTogetherStayOnIt()
    {
        // 3 × 5461 = 16,383 floats: Loss's target, logits and outputs fit the budget together.
        var source = Generate("[Network(Input = 3, BatchSize = 2)] [Dense(8, Activation.Tanh)] [Dense(5461, Activation.Softmax)] [Loss(LossKind.SoftmaxCrossEntropy)] public partial class N { }");
        Assert.DoesNotContain("t_outputs", source);
        Assert.Contains("global::System.Span<float> t = stackalloc float[OutputSize];", source);
    }

    [Fact]
    public void MaxoutPiecesTooManyForTheStackGoToAPerThreadBufferOfTheirLayer()
    {
        var source = Generate("[Network(Input = 3, BatchSize = 2)] [Dense(6000, Activation.Maxout, Pieces = 3)] [Dense(2, Activation.Linear)] [Loss(LossKind.Quadratic)] public partial class N { }");
        Assert.Contains("[global::System.ThreadStatic] private static global::CompiledNet.CompilerServices.AlignedBuffer? t_pieces1;", source);
        Assert.Contains("global::System.Span<float> piecesBuffer = t_pieces1 ??= global::CompiledNet.CompilerServices.AlignedBuffer.Allocate(18000);", source);
        Assert.DoesNotContain("stackalloc float[18000]", source);
    }
}
