using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CompiledNet.Tests.Generator;

/// <summary>Generated code is part of the user's build: it must not add a single compiler warning to it.</summary>
public class GeneratedWarningTests
{
    [Theory]
    // Too small to split (masks drawn inside each pass) and large enough to split (masks drawn before the parts), with
    // and without batch norm, DropConnect, maxout and input dropout.
    [InlineData("[Network(Input = 4, BatchSize = 8, InputDropout = 0.1f)][Dense(6, Activation.ReLU, Dropout = 0.5f)][Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)]")]
    [InlineData("[Network(Input = 4, BatchSize = 8)][Dense(6, Activation.Tanh, DropConnect = 0.2f, BatchNorm = true)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)]")]
    [InlineData("[Network(Input = 4, BatchSize = 8)][Dense(6, Activation.Maxout, Pieces = 3, Dropout = 0.3f)][Dense(3, Activation.Linear)][Loss(LossKind.Quadratic)]")]
    [InlineData("[Network(Input = 64, BatchSize = 64, InputDropout = 0.1f)][Dense(256, Activation.ReLU, BatchNorm = true, Dropout = 0.2f)][Dense(129, Activation.Sigmoid, DropConnect = 0.1f)][Dense(10, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)][Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]")]
    [InlineData("[Network(Input = 64, BatchSize = 32)][Dense(300, Activation.Sigmoid, BatchNorm = true)][Dense(7, Activation.Linear, BatchNorm = true)][Loss(LossKind.Quadratic)]")]
    public void GeneratedCodeCompilesWithoutWarnings(string attributes)
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n" + attributes + "\npublic partial class N { }");
        Assert.Empty(result.Diagnostics);
        var problems = result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
