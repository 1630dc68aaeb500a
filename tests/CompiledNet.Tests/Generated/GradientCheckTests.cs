using System;
using System.Collections.Generic;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// The generated backward pass against central finite differences of a double-precision reference, for every valid
/// output activation × loss pair (each over a hidden stack of Tanh, ReLU, Sigmoid and Linear layers).
/// Tolerance: |g − g_ref| ≤ 1e-3·max(1, ‖g_ref‖∞) per component — float accumulation over ≤ 33 terms gives errors
/// around 1e-6 relative; a wrong formula gives errors of the order of the gradient itself.
/// </summary>
public class GradientCheckTests
{
    private static readonly (int, Activation)[] Hidden =
        { (17, Activation.Tanh), (33, Activation.ReLU), (9, Activation.Sigmoid), (3, Activation.Linear) };

    private static (int, Activation)[] With((int, Activation) output)
    {
        var layers = new List<(int, Activation)>(Hidden) { output };
        return layers.ToArray();
    }

    public static IEnumerable<object[]> Cases()
    {
        yield return new object[] { "softmax + softmax cross-entropy", new SoftmaxCrossEntropyNet(1), LossKind.SoftmaxCrossEntropy, Activation.Softmax, 4 };
        yield return new object[] { "sigmoid + log-loss", new LogLossNet(2), LossKind.LogLoss, Activation.Sigmoid, 2 };
        yield return new object[] { "linear + quadratic", new QuadraticLinearNet(3), LossKind.Quadratic, Activation.Linear, 4 };
        yield return new object[] { "sigmoid + quadratic", new QuadraticSigmoidNet(4), LossKind.Quadratic, Activation.Sigmoid, 4 };
        yield return new object[] { "tanh + quadratic", new QuadraticTanhNet(5), LossKind.Quadratic, Activation.Tanh, 4 };
        yield return new object[] { "relu + quadratic", new QuadraticReLUNet(6), LossKind.Quadratic, Activation.ReLU, 4 };
        yield return new object[] { "softmax + quadratic", new QuadraticSoftmaxNet(7), LossKind.Quadratic, Activation.Softmax, 4 };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesCentralDifferences_FullAndPartialBatch(string name, ITrainable net, LossKind loss, Activation output, int outputs)
    {
        var reference = new ReferenceNetwork(5, loss, With((outputs, output)));
        Assert.Equal(reference.ParameterCount, net.ParameterCount);
        var rng = new Random(name.Length);
        // Larger initial weights than the default so that sigmoid/ReLU units sit in varied regimes.
        var p = net.Parameters;
        for (int j = 0; j < p.Length; j++) p[j] = (float)(rng.NextDouble() * 1.2 - 0.6);

        foreach (int count in new[] { 5, 3, 1 })
        {
            var xs = new float[count * 5];
            for (int j = 0; j < xs.Length; j++) xs[j] = (float)(rng.NextDouble() * 2 - 1);
            var ts = new float[count * outputs];
            for (int r = 0; r < count; r++)
            {
                if (loss == LossKind.SoftmaxCrossEntropy || output == Activation.Softmax)
                    ts[r * outputs + rng.Next(outputs)] = 1f;
                else
                    for (int k = 0; k < outputs; k++) ts[r * outputs + k] = (float)rng.NextDouble();
            }

            float meanLoss = net.ComputeGradients(xs, ts);
            var pd = new double[p.Length];
            for (int j = 0; j < p.Length; j++) pd[j] = p[j];
            Assert.Equal(reference.MeanLoss(pd, xs, ts, count), meanLoss, 1e-4);

            var expected = reference.NumericGradient(pd, xs, ts, count);
            double scale = 1;
            foreach (var g in expected) scale = Math.Max(scale, Math.Abs(g));
            var actual = net.Gradients;
            for (int j = 0; j < expected.Length; j++)
                Assert.True(Math.Abs(actual[j] - expected[j]) <= 1e-3 * scale,
                    $"{name}, batch of {count}: gradient[{j}] = {actual[j]}, finite differences give {expected[j]}");
        }
    }

    [Fact]
    public void LabelOverloadEqualsOneHotTargets()
    {
        var a = new SoftmaxCrossEntropyNet(11);
        var b = new SoftmaxCrossEntropyNet(11);
        var xs = new float[] { 0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 1f, 0f, -1f, 0.5f, 0.25f };
        float la = a.ComputeGradients(xs, new[] { 2, 0 });
        float lb = b.ComputeGradients(xs, new float[] { 0, 0, 1, 0, 1, 0, 0, 0 });
        Assert.Equal(lb, la);
        Assert.Equal(b.Gradients.ToArray(), a.Gradients.ToArray());
    }
}
