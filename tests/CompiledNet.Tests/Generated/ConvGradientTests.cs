using System;
using System.Collections.Generic;
using CompiledNet.Tests.Networks;
using Xunit;
using static CompiledNet.Tests.Generated.ConvReference;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// Convolutional networks against <see cref="ConvReference"/>: the inference outputs against its forward pass, the
/// loss and the generated gradient against central finite differences of its loss. Tolerance as for dense networks:
/// |g − g_ref| ≤ 1e-3·max(1, ‖g_ref‖∞) per component.
/// </summary>
public class ConvGradientTests
{
    public static IEnumerable<object[]> Cases()
    {
        yield return new object[] { "strided conv, rectangular kernel, padding, average pooling", new ConvStrideNet(1),
            new ConvReference((2, 7, 6), LossKind.SoftmaxCrossEntropy,
                new Conv(3, 3, 2, 1, 1, Activation.Tanh), new Conv(4, 3, 3, 2, 0, Activation.ReLU), new Pool(false, 2, 1),
                new ConvReference.Dense(5, Activation.Tanh), new ConvReference.Dense(3, Activation.Softmax)), 3 };
        yield return new object[] { "same padding, max pooling, conv without bias", new ConvMaxPoolNet(2),
            new ConvReference((1, 6, 6), LossKind.LogLoss,
                new Conv(2, 3, 3, 1, 1, Activation.Sigmoid), new Pool(true, 2, 2), new Conv(3, 2, 2, 1, 0, Activation.Linear, Bias: false),
                new ConvReference.Dense(2, Activation.Sigmoid)), 2 };
        yield return new object[] { "max pooling first, 9 filters", new PoolFirstNet(3),
            new ConvReference((3, 8, 8), LossKind.Quadratic,
                new Pool(true, 2, 2), new Conv(9, 3, 3, 1, 1, Activation.ReLU), new ConvReference.Dense(4, Activation.Linear)), 4 };
        yield return new object[] { "Winograd inference: 3×3 convolutions with max pooling, padding 1 and 0", new WinogradNet(4),
            new ConvReference((2, 12, 12), LossKind.SoftmaxCrossEntropy,
                new Conv(8, 3, 3, 1, 1, Activation.Tanh), new Conv(9, 3, 3, 1, 1, Activation.ReLU), new Pool(true, 2, 2),
                new Conv(8, 3, 3, 1, 0, Activation.Linear, Bias: false), new Pool(true, 2, 2), new ConvReference.Dense(3, Activation.Softmax)), 3 };
        yield return new object[] { "convolutions computed with their max pooling: 5×3 and 4×4 kernels, 25 windows and 1", new DirectPoolNet(5),
            new ConvReference((3, 12, 10), LossKind.SoftmaxCrossEntropy,
                new Conv(5, 5, 3, 1, 1, Activation.Linear, Bias: false), new Pool(true, 2, 2), new Conv(6, 4, 4, 1, 0, Activation.ReLU), new Pool(true, 2, 2),
                new ConvReference.Dense(3, Activation.Softmax)), 3 };
    }

    private static float[] RandomInputs(Random rng, int length)
    {
        var xs = new float[length];
        for (int j = 0; j < xs.Length; j++) xs[j] = (float)(rng.NextDouble() * 2 - 1);
        return xs;
    }

    private static float[] RandomTargets(Random rng, int count, int outputs, bool oneHot)
    {
        var ts = new float[count * outputs];
        for (int r = 0; r < count; r++)
            if (oneHot) ts[r * outputs + rng.Next(outputs)] = 1f;
            else for (int k = 0; k < outputs; k++) ts[r * outputs + k] = (float)rng.NextDouble();
        return ts;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PredictMatchesTheReferenceForward(string name, INetwork net, ConvReference reference, int outputs)
    {
        var trainable = (ITrainable)net;
        Assert.Equal(reference.ParameterCount, trainable.ParameterCount);
        var rng = new Random(name.Length);
        var p = trainable.Parameters;
        for (int j = 0; j < p.Length; j++) p[j] = (float)(rng.NextDouble() - 0.5);
        var pd = new double[p.Length];
        for (int j = 0; j < p.Length; j++) pd[j] = p[j];
        for (int example = 0; example < 4; example++)
        {
            var x = RandomInputs(rng, net.InputSize);
            var y = new float[outputs];
            net.Predict(x, y);
            var expected = reference.Forward(pd, x);
            for (int k = 0; k < outputs; k++)
                Assert.True(Math.Abs(y[k] - expected[k]) <= 1e-5 * Math.Max(1, Math.Abs(expected[k])), $"{name}: output {k} is {y[k]}, the reference gives {expected[k]}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesCentralDifferences_FullAndPartialBatch(string name, INetwork net, ConvReference reference, int outputs)
    {
        var trainable = (ITrainable)net;
        var rng = new Random(name.Length + 1);
        var p = trainable.Parameters;
        for (int j = 0; j < p.Length; j++) p[j] = (float)(rng.NextDouble() * 1.2 - 0.6);
        var pd = new double[p.Length];
        for (int j = 0; j < p.Length; j++) pd[j] = p[j];
        foreach (int count in new[] { trainable.BatchSize, 2, 1 })
        {
            var xs = RandomInputs(rng, count * net.InputSize);
            var ts = RandomTargets(rng, count, outputs, oneHot: outputs == 3);
            float meanLoss = trainable.ComputeGradients(xs, ts);
            Assert.Equal(reference.MeanLoss(pd, xs, ts, count), meanLoss, 1e-4);
            var expected = reference.NumericGradient(pd, xs, ts, count);
            double scale = 1;
            foreach (var g in expected) scale = Math.Max(scale, Math.Abs(g));
            var actual = trainable.Gradients;
            for (int j = 0; j < expected.Length; j++)
                Assert.True(Math.Abs(actual[j] - expected[j]) <= 1e-3 * scale,
                    $"{name}, batch of {count}: gradient[{j}] = {actual[j]} ({trainable.DescribeParameter(j)}), finite differences give {expected[j]}");
        }
    }
}
