using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CompiledNet.Tests.Generator;

/// <summary>Each convolution diagnostic (CNET0100–CNET0108) with the source text it points at and the numbers it names.</summary>
public class ConvDiagnosticTests
{
    private const string Tail = "[Dense(10, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class Net { }";

    private static (Diagnostic Diagnostic, string At) Single(string source, string id)
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n" + source);
        var matching = result.Diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1, $"expected one {id}, got: {string.Join("; ", result.Diagnostics)}");
        Assert.Empty(result.Sources); // an erroneous declaration emits no code
        var d = matching[0];
        var tree = result.Output.SyntaxTrees.Single(t => t.FilePath == d.Location.GetLineSpan().Path);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        if (string.CompareOrdinal(id, "CNET0100") >= 0) Assert.Equal("CompiledNet.Declaration", d.Descriptor.Category);
        return (d, tree.GetText().ToString(d.Location.SourceSpan));
    }

    [Fact]
    public void CNET0100_ImageWithoutWidth_PointsAtTheNetworkAttribute()
    {
        var (d, at) = Single("[Network(Height = 28)][Conv2D(4)]" + Tail, "CNET0100");
        Assert.Equal("Network(Height = 28)", at);
        Assert.Contains("Width is missing", d.GetMessage());
    }

    [Fact]
    public void CNET0100_ZeroChannels_PointsAtTheArgument()
    {
        var (d, at) = Single("[Network(Channels = 0, Height = 28, Width = 28)][Conv2D(4)]" + Tail, "CNET0100");
        Assert.Equal("Channels = 0", at);
        Assert.Contains("Channels must be > 0, but it is 0", d.GetMessage());
    }

    [Fact]
    public void CNET0101_InputDisagreesWithTheImage_NamesBothSizes()
    {
        var (d, at) = Single("[Network(Input = 784, Channels = 3, Height = 28, Width = 28)][Conv2D(4)]" + Tail, "CNET0101");
        Assert.Equal("Input = 784", at);
        Assert.Equal("Input is 784, but the image 3×28×28 has 2352 values (Channels × Height × Width); leave Input out to take it from the image", d.GetMessage());
    }

    [Fact]
    public void CNET0102_ConvolutionWithoutImage()
    {
        var (d, at) = Single("[Network(Input = 784)][Conv2D(4)]" + Tail, "CNET0102");
        Assert.Equal("Conv2D(4)", at);
        Assert.StartsWith("Conv2D 1 needs an input image", d.GetMessage());
    }

    [Fact]
    public void CNET0103_PoolingAfterDense()
    {
        var (d, at) = Single("[Network(Height = 4, Width = 4)][Dense(8, Activation.ReLU)][MaxPool(2)]" + Tail, "CNET0103");
        Assert.Equal("MaxPool(2)", at);
        Assert.StartsWith("MaxPool 1 comes after dense layer 1", d.GetMessage());
    }

    [Fact]
    public void CNET0104_ZeroStride_PointsAtTheArgument()
    {
        var (d, at) = Single("[Network(Height = 8, Width = 8)][Conv2D(4, Stride = 0)]" + Tail, "CNET0104");
        Assert.Equal("Stride = 0", at);
        Assert.Equal("Conv2D 1: Stride must be > 0, but it is 0", d.GetMessage());
    }

    [Fact]
    public void CNET0104_NegativeFilters()
    {
        var (_, at) = Single("[Network(Height = 8, Width = 8)][Conv2D(-2)]" + Tail, "CNET0104");
        Assert.Equal("-2", at);
    }

    [Fact]
    public void CNET0105_KernelLargerThanThePaddedInput_NamesTheSizes()
    {
        var (d, at) = Single("[Network(Height = 3, Width = 9)][Conv2D(4, KernelHeight = 6, KernelWidth = 3, Padding = 1)]" + Tail, "CNET0105");
        Assert.Equal("KernelHeight = 6", at);
        Assert.Equal("Conv2D 1: the kernel height 6 is larger than the padded input height 5 (3 + 2·1)", d.GetMessage());
    }

    [Fact]
    public void CNET0105_PoolingWindowLargerThanItsInput()
    {
        var (d, at) = Single("[Network(Height = 8, Width = 16)][MaxPool(2)][MaxPool(2)][MaxPool(4)]" + Tail, "CNET0105");
        Assert.Equal("4", at);
        Assert.Equal("MaxPool 3: the window height 4 is larger than the input height 2", d.GetMessage());
    }

    [Fact]
    public void CNET0106_StrideThatDoesNotDivide_ShowsTheArithmetic()
    {
        var (d, at) = Single("[Network(Height = 28, Width = 30)][MaxPool(2)][Conv2D(8, Kernel = 5, Stride = 2)]" + Tail, "CNET0106");
        Assert.Equal("Stride = 2", at);
        Assert.Equal("Conv2D 2: the output height (14 − 5) / 2 + 1 is not an integer: 5.5; the last 1 row of the input would never be read", d.GetMessage());
    }

    [Fact]
    public void CNET0106_PoolingThatDoesNotTile()
    {
        var (d, at) = Single("[Network(Height = 7, Width = 8)][AvgPool(2)]" + Tail, "CNET0106");
        Assert.Equal("2", at);
        Assert.Equal("AvgPool 1: the output height (7 − 2) / 2 + 1 is not an integer: 3.5; the last 1 row of the input would never be read", d.GetMessage());
    }

    [Fact]
    public void CNET0106_WithPadding_ShowsThePadding()
    {
        var (d, _) = Single("[Network(Height = 8, Width = 9)][Conv2D(4, Kernel = 3, Stride = 2, Padding = 1)]" + Tail, "CNET0106");
        Assert.Equal("Conv2D 1: the output height (8 + 2·1 − 3) / 2 + 1 is not an integer: 4.5; the last 1 row of the padded input would never be read", d.GetMessage());
    }

    [Fact]
    public void CNET0107_SamePaddingWithAnEvenKernel()
    {
        var (d, at) = Single("[Network(Height = 8, Width = 8)][Conv2D(4, KernelHeight = 4, KernelWidth = 3, Padding = Padding.Same)]" + Tail, "CNET0107");
        Assert.Equal("Padding = Padding.Same", at);
        Assert.StartsWith("Conv2D 1: Padding.Same pads (kernel − 1)/2 on each side, but the kernel height is 4", d.GetMessage());
    }

    [Theory]
    [InlineData("Activation = Activation.Softmax", "Activation.Softmax")]
    [InlineData("Activation = Activation.Maxout", "Activation.Maxout")]
    public void CNET0108_OptionNotBuiltForConvolutions_IsRefusedAtTheArgument(string argument, string named)
    {
        var (d, at) = Single($"[Network(Height = 8, Width = 8)][Conv2D(4, {argument})]" + Tail, "CNET0108");
        Assert.Equal(argument, at);
        Assert.Equal($"Conv2D 1: {named} is not supported on a Conv2D layer yet", d.GetMessage());
    }

    [Theory]
    [InlineData("Dropout = 1f", "1")]
    [InlineData("Dropout = -0.1f", "-0.1")]
    public void CNET0022_AConvolutionsDropoutRateOutsideZeroToOne_IsRefusedAtTheArgument(string argument, string value)
    {
        var (d, at) = Single($"[Network(Height = 8, Width = 8)][Conv2D(4, {argument})]" + Tail, "CNET0022");
        Assert.Equal(argument, at);
        Assert.Equal($"Dropout must be in [0, 1), but it is {value}", d.GetMessage());
    }

    [Fact]
    public void BatchNormAndDropoutOnAConvolutionCompileWithoutDiagnostics()
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n[Network(Height = 8, Width = 8)][Conv2D(4, BatchNorm = true, Dropout = 0.25f)][MaxPool(2)]" + Tail);
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.Sources);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)); // the generated code compiles
    }

    [Fact]
    public void CNET0018_ConvolutionTrainingBufferTooLarge()
    {
        var (d, _) = Single("[Network(Height = 100, Width = 100, BatchSize = 64)][Conv2D(128, Padding = 1)]" + Tail, "CNET0018");
        Assert.Contains("Conv2D 1's training buffer (BatchSize × output = 64 × 128×100×100) is 81,920,000, above the limit of 50,000,000", d.GetMessage());
    }

    [Fact]
    public void InputIsDerivedFromTheImage()
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n[Network(Channels = 2, Height = 5, Width = 4)][Conv2D(3)]" + Tail);
        Assert.Empty(result.Diagnostics);
        var source = Assert.Single(result.Sources).Text;
        Assert.Contains("public const int InputSize = 40;", source);
        Assert.Contains("public const int ImageChannels = 2;", source);
        Assert.Empty(result.Output.GetDiagnostics().Where(x => x.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void TheDocumentationAndArchitectureShowEveryLayersOutputShape()
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n[Network(Height = 28, Width = 28)][Conv2D(8, Padding = Padding.Same)][MaxPool(2)][Conv2D(16, Kernel = 5)][AvgPool(2, Stride = 1)]" + Tail);
        var source = Assert.Single(result.Sources).Text;
        Assert.Contains("/// Compiled network 1×28×28 → 8×28×28 Conv2D → 8×14×14 MaxPool → 16×10×10 Conv2D → 16×9×9 AvgPool → flattened 1296 → 10 Softmax;", source);
        Assert.Contains("public const string Architecture = \"1×28×28 → 8×28×28 Conv2D (3×3 kernel, stride 1, padding 1, ReLU) → 8×14×14 MaxPool (2×2 window, stride 2) → 16×10×10 Conv2D (5×5 kernel, stride 1, padding 0, ReLU) → 16×9×9 AvgPool (2×2 window, stride 1) → flattened 1296 → 10 Softmax;", source);
        Assert.Contains("<item><term>Conv2D 3: 8×14×14 → 16×10×10, 5×5 kernel, stride 1, padding 0, ReLU</term>", source);
    }
}
