using System;
using System.Collections.Generic;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

using L = BatchReference.Layer;

public class LayerOptionTests
{
    private static (float[] Xs, float[] Ts) Batch(Random rng, int count, int inputs, int outputs, bool oneHot)
    {
        var xs = new float[count * inputs];
        for (int j = 0; j < xs.Length; j++) xs[j] = (float)(rng.NextDouble() * 2 - 1);
        var ts = new float[count * outputs];
        for (int r = 0; r < count; r++)
        {
            if (oneHot) ts[r * outputs + rng.Next(outputs)] = 1f;
            else for (int k = 0; k < outputs; k++) ts[r * outputs + k] = (float)rng.NextDouble();
        }
        return (xs, ts);
    }

    /// <summary>Gradient of the generated backward pass against central differences of the double reference (same masks), |Δ| ≤ 1e-3·max(1, ‖g‖∞).</summary>
    private static void CheckGradient(string name, ITrainable net, BatchReference reference, float[] xs, float[] ts, int count)
    {
        var p = net.Parameters;
        var pd = new double[p.Length];
        for (int j = 0; j < p.Length; j++) pd[j] = p[j];
        float loss = net.ComputeGradients(xs, ts);
        Assert.Equal(reference.MeanLoss(pd, xs, ts, count), loss, 1e-4);
        var expected = reference.NumericGradient(pd, xs, ts, count);
        double scale = Math.Max(1, expected.Max(Math.Abs));
        for (int j = 0; j < expected.Length; j++)
            Assert.True(Math.Abs(net.Gradients[j] - expected[j]) <= 1e-3 * scale,
                $"{name}, batch of {count}: gradient[{j}] = {net.Gradients[j]}, finite differences give {expected[j]}");
    }

    [Fact]
    public void BatchNormBackwardMatchesCentralDifferences_ThroughGammaBetaAndInputs()
    {
        var net = new BatchNormNet(1);
        var reference = new BatchReference(5, LossKind.SoftmaxCrossEntropy,
            new L(9, Activation.Tanh, BatchNorm: true), new L(17, Activation.ReLU, BatchNorm: true), new L(4, Activation.Softmax));
        Assert.Equal(BatchNormNet.ParameterCount, reference.ParameterCount);
        var rng = new Random(3);
        for (int j = 0; j < net.Parameters.Length; j++) net.Parameters[j] = (float)(rng.NextDouble() * 1.2 - 0.6);
        foreach (int count in new[] { 6, 4 })
        {
            var (xs, ts) = Batch(rng, count, 5, 4, oneHot: true);
            CheckGradient("batch norm", net, reference, xs, ts, count);
        }
    }

    [Fact]
    public void DropoutAndDropConnectBackwardMatchCentralDifferencesWithTheDrawnMasks()
    {
        var net = new DropoutNet(2);
        var rng = new Random(4);
        for (int j = 0; j < net.Parameters.Length; j++) net.Parameters[j] = (float)(rng.NextDouble() * 1.2 - 0.6);
        var (xs, ts) = Batch(rng, 6, 5, 3, oneHot: true);
        net.ComputeGradients(xs, ts); // draws the masks
        net.ReuseMasks = true;
        var reference = new BatchReference(5, LossKind.SoftmaxCrossEntropy,
            new L(9, Activation.Sigmoid), new L(17, Activation.ReLU), new L(3, Activation.Softmax))
        {
            DropoutMasks = new[] { net.DropoutMask(0).ToArray(), net.DropoutMask(1).ToArray() },
            DropConnectMasks = new[] { null, null, net.DropConnectMask(2).ToArray() },
        };
        Assert.Contains(0f, net.DropoutMask(1).ToArray()); // the masks really drop something
        Assert.Contains(0f, net.DropConnectMask(2).ToArray());
        CheckGradient("dropout + DropConnect", net, reference, xs, ts, 6);
    }

    [Fact]
    public void BatchNormWithDropoutAndDropConnectOnOneLayerMatchesCentralDifferences()
    {
        var net = new CombinedNet(5);
        var rng = new Random(6);
        var (xs, ts) = Batch(rng, 6, 5, 3, oneHot: false);
        net.ComputeGradients(xs, ts);
        net.ReuseMasks = true;
        var reference = new BatchReference(5, LossKind.LogLoss, new L(10, Activation.Tanh, BatchNorm: true), new L(3, Activation.Sigmoid))
        {
            DropoutMasks = new[] { null, net.DropoutMask(1).ToArray() },
            DropConnectMasks = new[] { null, net.DropConnectMask(1).ToArray() },
        };
        CheckGradient("batch norm + dropout + DropConnect", net, reference, xs, ts, 6);
    }

    [Fact]
    public void MaxoutBackwardSendsTheGradientToTheWinningPiece_MatchesCentralDifferences()
    {
        var net = new MaxoutNet(8);
        var rng = new Random(13);
        for (int j = 0; j < net.Parameters.Length; j++) net.Parameters[j] = (float)(rng.NextDouble() * 1.2 - 0.6);
        var (xs, ts) = Batch(rng, 6, 5, 3, oneHot: true);
        net.ComputeGradients(xs, ts);
        net.ReuseMasks = true;
        var reference = new BatchReference(5, LossKind.SoftmaxCrossEntropy,
            new L(9, Activation.Maxout, Pieces: 3), new L(4, Activation.Maxout, Pieces: 2), new L(3, Activation.Softmax))
        {
            DropoutMasks = new[] { null, null, net.DropoutMask(2).ToArray() },
        };
        Assert.Equal(MaxoutNet.ParameterCount, reference.ParameterCount);
        CheckGradient("maxout", net, reference, xs, ts, 6);

        // With a single example, at most one piece of each first-layer unit (the winner) has a bias gradient.
        net.ReuseMasks = false;
        net.ComputeGradients(xs.AsSpan(0, 5), ts.AsSpan(0, 3));
        var biasGradients = net.Gradients.Slice(5 * 27, 27).ToArray();
        for (int u = 0; u < 9; u++)
            Assert.True(biasGradients.Skip(u * 3).Take(3).Count(g => g != 0f) <= 1, $"unit {u}: {string.Join(", ", biasGradients.Skip(u * 3).Take(3))}");
        Assert.Contains(biasGradients, g => g != 0f);
    }

    [Fact]
    public void MaxoutInferenceTakesTheLargestPiece()
    {
        var net = new MaxoutNet(9);
        var x = new float[] { 0.3f, -0.2f, 0.8f, -0.5f, 0.1f };
        var y = new float[3];
        net.Predict(x, y);
        var reference = new BatchReference(5, LossKind.SoftmaxCrossEntropy,
            new L(9, Activation.Maxout, Pieces: 3), new L(4, Activation.Maxout, Pieces: 2), new L(3, Activation.Softmax));
        var p = net.Parameters.ToArray().Select(v => (double)v).ToArray();
        // The reference loss with a one-hot target k is −ln y_k: recover the reference outputs from it.
        for (int k = 0; k < 3; k++)
        {
            var t = new float[3];
            t[k] = 1;
            Assert.Equal(Math.Exp(-reference.MeanLoss(p, x, t, 1)), y[k], 5);
        }
    }

    [Fact]
    public void LayerWithoutBiasHasOnlyWeights_AndItsGradientMatchesCentralDifferences()
    {
        var net = new NoBiasNet(2);
        Assert.Equal(5 * 9 + 9 * 3 + 3, NoBiasNet.ParameterCount);
        // The reference with a bias fixed at 0: insert zero biases after the first layer's weights.
        var rng = new Random(14);
        var (xs, ts) = Batch(rng, 4, 5, 3, oneHot: true);
        float loss = net.ComputeGradients(xs, ts);
        var p = net.Parameters.ToArray();
        var full = p.Take(45).Concat(new float[9]).Concat(p.Skip(45)).Select(v => (double)v).ToArray();
        var withBias = new BatchReference(5, LossKind.SoftmaxCrossEntropy, new L(9, Activation.Tanh), new L(3, Activation.Softmax));
        Assert.Equal(withBias.MeanLoss(full, xs, ts, 4), loss, 4);
        var expected = withBias.NumericGradient(full, xs, ts, 4);
        var withoutBias = expected.Take(45).Concat(expected.Skip(54)).ToArray();
        for (int j = 0; j < withoutBias.Length; j++)
            Assert.Equal(withoutBias[j], net.Gradients[j], 3);
    }

    [Fact]
    public void BatchNormInTrainingGivesEachUnitMeanBetaAndVarianceGammaSquared()
    {
        var net = new BatchNormOutputNet(1);
        // Output layer (7 → 3, linear, batch norm): weights [35+14 .. 35+14+21), γ, β after them.
        int gamma = 5 * 7 + 14 + 7 * 3, beta = gamma + 3;
        float[] g = { 2f, 0.5f, -1.5f }, b = { 0.3f, -1f, 4f };
        for (int k = 0; k < 3; k++) { net.Parameters[gamma + k] = g[k]; net.Parameters[beta + k] = b[k]; }
        var (xs, ts) = Batch(new Random(8), 16, 5, 3, oneHot: false);
        net.ComputeGradients(xs, ts);
        var y = net.TrainingActivations(2);
        for (int k = 0; k < 3; k++)
        {
            double mean = 0, variance = 0;
            for (int r = 0; r < 16; r++) mean += y[r * 3 + k];
            mean /= 16;
            for (int r = 0; r < 16; r++) variance += (y[r * 3 + k] - mean) * (y[r * 3 + k] - mean);
            variance /= 16;
            Assert.Equal(b[k], mean, 5);
            Assert.Equal(g[k] * g[k], variance, 2); // γ²·σ²/(σ² + ε): within ε of γ²
        }
    }

    [Fact]
    public void InferenceUsesThePopulationStatisticsByTheFormula()
    {
        var net = new BatchNormOutputNet(2);
        var stats = net.BatchNormStatistics; // layer 1: mean[7], var[7]; layer 2: mean[3], var[3]
        var rng = new Random(9);
        for (int j = 0; j < stats.Length; j++) stats[j] = (float)(j % 2 == 0 ? rng.NextDouble() - 0.5 : 0.5 + rng.NextDouble());
        // Put the variances where they belong (the loop above alternates; make each variance block positive).
        for (int o = 0; o < 7; o++) stats[7 + o] = 0.5f + o * 0.1f;
        for (int o = 0; o < 3; o++) stats[14 + 3 + o] = 0.7f + o * 0.2f;
        var p = net.Parameters;
        var x = new float[] { 0.2f, -0.4f, 0.9f, 0.1f, -0.3f };
        var h = new double[7];
        for (int o = 0; o < 7; o++)
        {
            double z = 0;
            for (int i = 0; i < 5; i++) z += x[i] * p[i * 7 + o];
            h[o] = p[35 + o] * (z - stats[o]) / Math.Sqrt(stats[7 + o] + 1e-5) + p[42 + o];
        }
        var y = new float[3];
        net.Predict(x, y);
        for (int k = 0; k < 3; k++)
        {
            double z = 0;
            for (int i = 0; i < 7; i++) z += h[i] * p[49 + i * 3 + k];
            double expected = p[70 + k] * (z - stats[14 + k]) / Math.Sqrt(stats[17 + k] + 1e-5) + p[73 + k];
            Assert.Equal(expected, y[k], 4);
        }
    }

    [Fact]
    public void ExactPassStatisticsEqualMeanAndVarianceComputedDirectlyOverTheData()
    {
        var net = new BatchNormOutputNet(3);
        var rng = new Random(10);
        var features = new float[200 * 5];
        for (int j = 0; j < features.Length; j++) features[j] = (float)(rng.NextDouble() * 2 - 1 + (j % 5) * 0.3);
        var data = new Dataset(features, 5, new int[200], 1);
        BatchNorm.RecomputePopulationStatistics(net, data);
        var p = net.Parameters;
        var stats = net.BatchNormStatistics;
        // Layer 1: z = x·W over all 200 examples.
        var z1 = new double[200, 7];
        for (int e = 0; e < 200; e++)
            for (int o = 0; o < 7; o++)
                for (int i = 0; i < 5; i++) z1[e, o] += features[e * 5 + i] * p[i * 7 + o];
        for (int o = 0; o < 7; o++)
        {
            double mean = 0, variance = 0;
            for (int e = 0; e < 200; e++) mean += z1[e, o];
            mean /= 200;
            for (int e = 0; e < 200; e++) variance += (z1[e, o] - mean) * (z1[e, o] - mean);
            variance /= 200;
            Assert.Equal(mean, stats[o], 4);
            Assert.Equal(variance, stats[7 + o], 4);
        }
        // Layer 2 sees layer 1 normalised with the statistics just computed.
        var z2 = new double[200, 3];
        for (int e = 0; e < 200; e++)
            for (int k = 0; k < 3; k++)
                for (int o = 0; o < 7; o++)
                {
                    double h = p[35 + o] * (z1[e, o] - stats[o]) / Math.Sqrt(stats[7 + o] + 1e-5) + p[42 + o];
                    z2[e, k] += h * p[49 + o * 3 + k];
                }
        for (int k = 0; k < 3; k++)
        {
            double mean = 0, variance = 0;
            for (int e = 0; e < 200; e++) mean += z2[e, k];
            mean /= 200;
            for (int e = 0; e < 200; e++) variance += (z2[e, k] - mean) * (z2[e, k] - mean);
            variance /= 200;
            Assert.Equal(mean, stats[14 + k], 4);
            Assert.Equal(variance, stats[17 + k], 4);
        }
    }

    [Fact]
    public void RunningAveragesMoveTowardTheBatchStatistics()
    {
        var net = new BatchNormOutputNet(4);
        var (xs, ts) = Batch(new Random(11), 16, 5, 3, oneHot: false);
        for (int i = 0; i < 200; i++) net.ComputeGradients(xs, ts); // same batch, no step: averages converge to its statistics
        var p = net.Parameters;
        var stats = net.BatchNormStatistics;
        for (int o = 0; o < 7; o++)
        {
            double mean = 0, variance = 0;
            for (int r = 0; r < 16; r++) { double z = 0; for (int i = 0; i < 5; i++) z += xs[r * 5 + i] * p[i * 7 + o]; mean += z; variance += z * z; }
            mean /= 16;
            variance = (variance / 16 - mean * mean) * 16 / 15; // unbiased, as documented
            Assert.Equal(mean, stats[o], 4);
            Assert.Equal(variance, stats[7 + o], 3);
        }
    }

    [Fact]
    public void DropoutMaskDropsAtRatePAndPreservesTheMeanActivation()
    {
        var net = new HalfDropoutNet(1);
        var xs = new float[50 * 20];
        var labels = new int[50];
        long zeros = 0, total = 0;
        double sum = 0;
        for (int step = 0; step < 40; step++)
        {
            net.ComputeGradients(xs, labels);
            foreach (float m in net.DropoutMask(1))
            {
                Assert.True(m == 0f || m == 2f, $"mask value {m}");
                if (m == 0f) zeros++;
                sum += m;
                total++;
            }
        }
        // 80,000 draws of p = 0.5: the standard error of the rate is 0.0018; allow 4 of them.
        Assert.InRange((double)zeros / total, 0.5 - 0.007, 0.5 + 0.007);
        // Inverted scaling: E[mask] = (1 − p)·1/(1 − p) = 1, so E[a·mask] = a — the same expected activation as inference.
        Assert.InRange(sum / total, 1 - 0.014, 1 + 0.014);
    }

    [Fact]
    public void InferenceIsDeterministicAndUsesNoMask()
    {
        var net = new DropoutNet(3);
        var x = new float[] { 0.5f, -0.5f, 0.25f, 0f, 1f };
        var first = new float[3];
        var second = new float[3];
        net.Predict(x, first);
        net.ComputeGradients(new float[30], new int[6]); // draws masks
        net.Predict(x, second);
        Assert.Equal(first, second);
    }

    public static IEnumerable<object[]> Seeded()
    {
        yield return new object[] { (Func<ITrainable>)(() => new DropoutNet(7)) };
        yield return new object[] { (Func<ITrainable>)(() => new CombinedNet(7)) };
        yield return new object[] { (Func<ITrainable>)(() => new BatchNormNet(7)) };
    }

    [Theory]
    [MemberData(nameof(Seeded))]
    public void SameSeedGivesABitIdenticalTrainingRun(Func<ITrainable> create)
    {
        var rng = new Random(12);
        var features = new float[40 * 5];
        for (int j = 0; j < features.Length; j++) features[j] = (float)(rng.NextDouble() * 2 - 1);
        var labels = Enumerable.Range(0, 40).Select(i => i % 2).ToArray();
        var data = new Dataset(features, 5, labels, 2);
        (float[], float[]) Run()
        {
            var net = create();
            Trainer.Train(net, data, new TrainingOptions { Epochs = 3, Seed = 5 });
            return (net.Parameters.ToArray(), (net as IBatchNormalized)?.BatchNormStatistics.ToArray() ?? Array.Empty<float>());
        }
        var (p1, s1) = Run();
        var (p2, s2) = Run();
        Assert.Equal(p1, p2);
        Assert.Equal(s1, s2);
    }

    [Fact]
    public void TrainingWithEveryLayerOptionAllocatesNothing()
    {
        var nets = new ITrainable[] { new BatchNormNet(1), new DropoutNet(1), new CombinedNet(1) };
        var xs = new float[6 * 5];
        var labels = new int[6];
        Assert.Equal(0, Allocations.Of(() => { foreach (var net in nets) for (int i = 0; i < 5; i++) net.TrainBatch(xs, labels); }));
    }
}
