using System.Linq;
using CompiledNet.Tests.Networks;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CompiledNet.Tests.Generator;

public class ShapeTypeTests
{
    [Fact]
    public void WrongLengthForATypedInputThrowsWithBothSizes()
    {
        var ex = Assert.Throws<System.ArgumentException>(() => new SpiralNet.Input(new float[3]));
        Assert.Contains("has 3 values; expected 2", ex.Message);
    }

    [Fact]
    public void TypedPredictEqualsSpanPredict()
    {
        var net = new SpiralNet(3);
        var x = new SpiralNet.Input(new[] { 0.25f, -0.5f });
        Assert.Equal(-0.5f, x[1]);
        var typed = net.Predict(in x);
        var y = new float[SpiralNet.OutputSize];
        net.Predict(new[] { 0.25f, -0.5f }, y);
        Assert.Equal(y, new[] { typed[0], typed[1] });
        Assert.Equal(net.Classify(new[] { 0.25f, -0.5f }), net.Classify(in x));
    }

    private static Diagnostic[] Errors(string userCode)
    {
        var result = GeneratorHarness.Run("""
            using CompiledNet;
            [Network(Input = 4)][Dense(3, Activation.ReLU)][Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)]
            public partial class Small { }
            [Network(Input = 3)][Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)]
            public partial class Next { }
            """, userCode);
        Assert.Empty(result.Diagnostics);
        return result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
    }

    [Fact]
    public void CorrectlyTypedCallsCompile()
        => Assert.Empty(Errors("using System.Linq; class User { int M(Small s, Next n) { var x = new Small.Input(); x[3] = 1f; var y = s.Predict(in x); return n.Classify(new Next.Input(y.AsReadOnlySpan().ToArray().Concat(new[] { 0f }).ToArray())) + (int)y[1]; } }"));

    [Fact]
    public void PassingAnotherNetworksInputTypeDoesNotCompile()
    {
        var errors = Errors("class User { void M(Small s) { var x = new Next.Input(); s.Predict(in x); } }");
        var error = Assert.Single(errors);
        Assert.Equal("CS1503", error.Id);
        Assert.Contains("Next.Input", error.GetMessage());
        Assert.Contains("Small.Input", error.GetMessage());
    }

    [Fact]
    public void FeedingOneNetworksOutputIntoANetworkOfAnotherInputSizeDoesNotCompile()
    {
        // Small has 2 outputs, Next takes 3 inputs.
        var errors = Errors("class User { int M(Small s, Next n) { var x = new Small.Input(); var y = s.Predict(in x); return n.Classify(y); } }");
        var error = Assert.Single(errors);
        Assert.Equal("CS1503", error.Id);
        Assert.Contains("Small.Output", error.GetMessage());
    }
}
