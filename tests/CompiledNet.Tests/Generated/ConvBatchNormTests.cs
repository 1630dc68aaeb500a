using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;
using static CompiledNet.Tests.Generated.ConvReference;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// Per-channel batch normalisation and element-wise dropout on convolutions, against <see cref="ConvReference"/> (a
/// double-precision network written from the definitions): inference with the population statistics, the gradient
/// through the batch statistics and through the dropout masks against central finite differences (|g − g_ref| ≤
/// 1e-3·max(1, ‖g_ref‖∞) per component, as for the other gradient checks), the running and population statistics
/// against each channel's mean and variance over the examples and positions, and a checkpoint's round trip.
/// </summary>
public class ConvBatchNormTests
{
    /// <summary>ConvBnStrideNet: 2×5×7, a strided padded Tanh convolution with batch norm, max pooling, a Sigmoid convolution with batch norm.</summary>
    private static ConvReference StrideReference() => new((2, 5, 7), LossKind.SoftmaxCrossEntropy,
        new Conv(3, 3, 3, 2, 1, Activation.Tanh, BatchNorm: true), new Pool(true, 2, 1), new Conv(4, 2, 2, 1, 0, Activation.Sigmoid, BatchNorm: true),
        new ConvReference.Dense(3, Activation.Softmax));

    /// <summary>DirectPoolNet's batch-normalised variant: a ReLU convolution computed with its max pooling in inference, then batch norm.</summary>
    private static ConvReference DirectPoolReference() => new((2, 8, 6), LossKind.SoftmaxCrossEntropy,
        new Conv(3, 3, 3, 1, 1, Activation.ReLU), new Pool(true, 2, 2), new Conv(4, 2, 2, 1, 0, Activation.Linear, BatchNorm: true),
        new ConvReference.Dense(3, Activation.Softmax));

    /// <summary>ConvDropoutNet: dropout on a Tanh convolution, average pooling, batch norm and dropout on a linear one.</summary>
    private static ConvReference DropoutReference() => new((2, 5, 7), LossKind.SoftmaxCrossEntropy,
        new Conv(3, 3, 3, 2, 1, Activation.Tanh), new Pool(false, 2, 1), new Conv(4, 2, 2, 1, 0, Activation.Linear, BatchNorm: true),
        new ConvReference.Dense(3, Activation.Softmax));

    private static float[] Uniform(Random rng, int length, double low = -1, double high = 1)
    {
        var xs = new float[length];
        for (int j = 0; j < xs.Length; j++) xs[j] = (float)(low + rng.NextDouble() * (high - low));
        return xs;
    }

    private static float[] OneHot(Random rng, int count, int outputs)
    {
        var ts = new float[count * outputs];
        for (int r = 0; r < count; r++) ts[r * outputs + rng.Next(outputs)] = 1f;
        return ts;
    }

    private static double[] RandomParameters(ITrainable net, Random rng)
    {
        var p = net.Parameters;
        for (int j = 0; j < p.Length; j++) p[j] = (float)(rng.NextDouble() * 1.2 - 0.6);
        return p.ToArray().Select(v => (double)v).ToArray();
    }

    private static void AssertGradient(ITrainable net, double[] expected, string what)
    {
        double scale = Math.Max(1, expected.Max(Math.Abs));
        var actual = net.Gradients;
        for (int j = 0; j < expected.Length; j++)
            Assert.True(Math.Abs(actual[j] - expected[j]) <= 1e-3 * scale,
                $"{what}: gradient[{j}] = {actual[j]} ({net.DescribeParameter(j)}), finite differences give {expected[j]}");
    }

    [Fact]
    public void TheLayoutHasGammaAndBetaPerChannelAndNoBiasOnANormalisedConvolution()
    {
        var net = new ConvBnStrideNet(1);
        Assert.Equal(ConvBnStrideNet.ParameterCount, StrideReference().ParameterCount); // the generated constant against the independent layout
        var layers = ((IConvolutional)net).FeatureLayers;
        Assert.Null(layers[0].BiasOffset);
        Assert.Equal(3 * 2 * 3 * 3, layers[0].GammaOffset);
        Assert.Equal(3 * 2 * 3 * 3 + 3, layers[0].BetaOffset);
        Assert.Equal(0, layers[0].StatisticsOffset);
        Assert.Equal(6, layers[2].StatisticsOffset);
        Assert.Equal(2, net.BatchNormLayerCount);
        Assert.Equal(2 * (3 + 4), net.BatchNormStatistics.Length);
        // γ starts at 1, β at 0, the population mean at 0 and the variance at 1
        Assert.All(net.Parameters.Slice(layers[0].GammaOffset!.Value, 3).ToArray(), g => Assert.Equal(1f, g));
        Assert.All(net.Parameters.Slice(layers[0].BetaOffset!.Value, 3).ToArray(), b => Assert.Equal(0f, b));
        Assert.Equal(new float[] { 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1 }, net.BatchNormStatistics.ToArray());
    }

    [Fact]
    public void PredictMatchesTheReferenceForwardWithThePopulationStatistics()
    {
        var net = new ConvBnStrideNet(2);
        var reference = StrideReference();
        var rng = new Random(2);
        var p = RandomParameters(net, rng);
        var statistics = net.BatchNormStatistics;
        // means in [−1, 1), variances in [0.2, 2)
        int[] channels = { 3, 4 };
        for (int at = 0, k = 0; k < channels.Length; at += 2 * channels[k], k++)
            for (int o = 0; o < channels[k]; o++)
            {
                statistics[at + o] = (float)(rng.NextDouble() * 2 - 1);
                statistics[at + channels[k] + o] = (float)(0.2 + rng.NextDouble() * 1.8);
            }
        var s = statistics.ToArray().Select(v => (double)v).ToArray();
        var y = new float[3];
        for (int example = 0; example < 5; example++)
        {
            var x = Uniform(rng, ConvBnStrideNet.InputSize);
            net.Predict(x, y);
            var expected = reference.Forward(p, x, s);
            for (int k = 0; k < 3; k++)
                Assert.True(Math.Abs(y[k] - expected[k]) <= 1e-5, $"example {example}, output {k}: {y[k]}, the reference gives {expected[k]}");
        }
        // PredictBatch goes through the same inference path
        var xs = Uniform(rng, 6 * ConvBnStrideNet.InputSize);
        var batch = new float[6 * 3];
        net.PredictBatch(xs, batch);
        for (int r = 0; r < 6; r++)
        {
            var expected = reference.Forward(p, xs.AsSpan(r * ConvBnStrideNet.InputSize, ConvBnStrideNet.InputSize), s);
            for (int k = 0; k < 3; k++)
                Assert.True(Math.Abs(batch[r * 3 + k] - expected[k]) <= 1e-5, $"PredictBatch row {r}, output {k}: {batch[r * 3 + k]}, the reference gives {expected[k]}");
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    [InlineData(2)]
    public void BackwardThroughTheBatchStatisticsMatchesCentralDifferences(int count)
    {
        var net = new ConvBnStrideNet(3);
        var reference = StrideReference();
        var rng = new Random(30 + count);
        var p = RandomParameters(net, rng);
        var xs = Uniform(rng, count * ConvBnStrideNet.InputSize);
        var ts = OneHot(rng, count, 3);
        float loss = net.ComputeGradients(xs, ts);
        Assert.Equal(reference.TrainingMeanLoss(p, xs, ts, count), loss, 1e-4);
        AssertGradient(net, NumericGradient(p, () => reference.TrainingMeanLoss(p, xs, ts, count)), $"batch norm, {count} rows");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    public void BackwardThroughTheStepsDropoutMasksMatchesCentralDifferences(int count)
    {
        var net = new ConvDropoutNet(4);
        var reference = DropoutReference();
        var rng = new Random(40 + count);
        var p = RandomParameters(net, rng);
        var xs = Uniform(rng, count * ConvDropoutNet.InputSize);
        var ts = OneHot(rng, count, 3);
        float loss = net.ComputeGradients(xs, ts);
        var masks = new Dictionary<int, float[]>
        {
            [1] = net.FeatureDropoutMask(1).Slice(0, count * 3 * 3 * 4).ToArray(),
            [3] = net.FeatureDropoutMask(3).Slice(0, count * 4 * 1 * 2).ToArray(),
        };
        // the masks are inverted dropout's: 0 or 1/(1 − p), and both values occur
        Assert.All(masks[1], m => Assert.True(m == 0f || Math.Abs(m - 1 / 0.7f) < 1e-6f, $"mask value {m}"));
        Assert.Contains(0f, masks[1]);
        Assert.Contains(masks[1], m => m != 0f);
        Assert.Equal(reference.TrainingMeanLoss(p, xs, ts, count, masks), loss, 1e-4);
        AssertGradient(net, NumericGradient(p, () => reference.TrainingMeanLoss(p, xs, ts, count, masks)), $"dropout, {count} rows");
        // reused masks give the same gradient again
        var first = net.Gradients.ToArray();
        net.ReuseMasks = true;
        net.ComputeGradients(xs, ts);
        Assert.Equal(first, net.Gradients.ToArray());
    }

    [Fact]
    public void InferenceUsesNoDropoutMask()
    {
        var net = new ConvDropoutNet(5);
        var reference = DropoutReference();
        var rng = new Random(5);
        var p = RandomParameters(net, rng);
        var s = net.BatchNormStatistics.ToArray().Select(v => (double)v).ToArray();
        var x = Uniform(rng, ConvDropoutNet.InputSize);
        var y = new float[3];
        net.Predict(x, y);
        var expected = reference.Forward(p, x, s);
        for (int k = 0; k < 3; k++) Assert.True(Math.Abs(y[k] - expected[k]) <= 1e-5, $"output {k}: {y[k]}, the reference without masks gives {expected[k]}");
    }

    [Fact]
    public void RunningStatisticsMoveTowardEachChannelsBatchMeanAndUnbiasedVariance()
    {
        var net = new ConvBnStrideNet(6);
        var reference = StrideReference();
        var rng = new Random(6);
        var p = RandomParameters(net, rng);
        const int count = 4;
        var xs = Uniform(rng, count * ConvBnStrideNet.InputSize);
        net.ComputeGradients(xs, OneHot(rng, count, 3));
        var z = new List<double[][]>();
        reference.ForwardBatch(p, xs, count, training: true, null, null, z);
        var expected = new List<double>();
        foreach (var layer in z)
        {
            var (mean, variance, n) = ChannelStatistics(layer, layer[0].Length / (layer == z[0] ? 12 : 2));
            expected.AddRange(mean.Select(m => 0.1 * m));
            expected.AddRange(variance.Select(v => 0.9 + 0.1 * v * n / (n - 1)));
        }
        var actual = net.BatchNormStatistics.ToArray();
        Assert.Equal(expected.Count, actual.Length);
        for (int j = 0; j < actual.Length; j++)
            Assert.True(Math.Abs(actual[j] - expected[j]) <= 1e-5 * Math.Max(1, Math.Abs(expected[j])), $"statistic {j}: {actual[j]}, expected {expected[j]}");
    }

    /// <summary>Each channel's mean and biased variance over the rows and the positions of <paramref name="z"/> (rows of channels × positions), and how many values each has.</summary>
    private static (double[] Mean, double[] Variance, int N) ChannelStatistics(double[][] z, int channels)
    {
        int positions = z[0].Length / channels, n = z.Length * positions;
        var mean = new double[channels];
        var variance = new double[channels];
        for (int o = 0; o < channels; o++)
        {
            var values = z.SelectMany(row => row.Skip(o * positions).Take(positions)).ToArray();
            mean[o] = values.Average();
            variance[o] = values.Select(v => (v - mean[o]) * (v - mean[o])).Sum() / n;
        }
        return (mean, variance, n);
    }

    [Fact]
    public void ThePopulationPassGivesEachChannelsMeanAndVarianceOverEveryExampleAndPosition()
    {
        var net = new ConvBnStrideNet(7);
        var reference = StrideReference();
        var rng = new Random(7);
        var p = RandomParameters(net, rng);
        const int examples = 13;
        var xs = Uniform(rng, examples * ConvBnStrideNet.InputSize);
        var data = new Dataset(xs, ConvBnStrideNet.InputSize, Enumerable.Range(0, examples).Select(i => i % 3).ToArray(), 3);
        BatchNorm.RecomputePopulationStatistics(net, data);
        var actual = net.BatchNormStatistics.ToArray();
        // The second convolution's z comes from the first one normalised with its new population statistics.
        var z = new List<double[][]>();
        reference.ForwardBatch(p, xs, examples, training: false, actual.Select(v => (double)v).ToArray(), null, z);
        var expected = new List<double>();
        for (int k = 0; k < z.Count; k++)
        {
            var (mean, variance, _) = ChannelStatistics(z[k], k == 0 ? 3 : 4);
            expected.AddRange(mean);
            expected.AddRange(variance);
        }
        for (int j = 0; j < actual.Length; j++)
            Assert.True(Math.Abs(actual[j] - expected[j]) <= 1e-5 * Math.Max(1, Math.Abs(expected[j])), $"statistic {j}: {actual[j]}, expected {expected[j]}");
    }

    [Fact]
    public void AConvolutionComputedWithItsPoolingFeedsThePopulationPassAndPredictAsTheReferenceDoes()
    {
        // The population pass runs the first convolution and its pooling one by one; Predict runs them together.
        var net = new DirectPoolBnNet(9);
        var reference = DirectPoolReference();
        Assert.Equal(DirectPoolBnNet.ParameterCount, reference.ParameterCount);
        var rng = new Random(9);
        var p = RandomParameters(net, rng);
        const int examples = 11;
        var xs = Uniform(rng, examples * DirectPoolBnNet.InputSize);
        var data = new Dataset(xs, DirectPoolBnNet.InputSize, Enumerable.Range(0, examples).Select(i => i % 3).ToArray(), 3);
        BatchNorm.RecomputePopulationStatistics(net, data);
        var actual = net.BatchNormStatistics.ToArray();
        var z = new List<double[][]>();
        var s = actual.Select(v => (double)v).ToArray();
        reference.ForwardBatch(p, xs, examples, training: false, s, null, z);
        var (mean, variance, _) = ChannelStatistics(z[0], 4);
        var expected = mean.Concat(variance).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int j = 0; j < actual.Length; j++)
            Assert.True(Math.Abs(actual[j] - expected[j]) <= 1e-5 * Math.Max(1, Math.Abs(expected[j])), $"statistic {j}: {actual[j]}, expected {expected[j]}");
        var y = new float[3];
        for (int example = 0; example < examples; example++)
        {
            var x = xs.AsSpan(example * DirectPoolBnNet.InputSize, DirectPoolBnNet.InputSize);
            net.Predict(x, y);
            var forward = reference.Forward(p, x, s);
            for (int k = 0; k < 3; k++)
                Assert.True(Math.Abs(y[k] - forward[k]) <= 1e-5, $"example {example}, output {k}: {y[k]}, the reference gives {forward[k]}");
        }
    }

    [Fact]
    public void ACheckpointRoundTripKeepsTheConvolutionStatistics()
    {
        var net = new ConvBnStrideNet(8);
        var rng = new Random(8);
        for (int step = 0; step < 4; step++)
            net.TrainBatch(Uniform(rng, 4 * ConvBnStrideNet.InputSize), Enumerable.Range(0, 4).Select(_ => rng.Next(3)).ToArray());
        Assert.Contains(net.BatchNormStatistics.ToArray(), v => v != 0f && v != 1f);
        string path = Path.Combine(Path.GetTempPath(), $"convbn-{Guid.NewGuid():N}.cnet");
        try
        {
            Checkpoint.Save(net, path);
            var loaded = new ConvBnStrideNet(99);
            Checkpoint.Load(loaded, path);
            Assert.Equal(net.BatchNormStatistics.ToArray(), loaded.BatchNormStatistics.ToArray());
            Assert.Equal(net.Parameters.ToArray(), loaded.Parameters.ToArray());
            var x = Uniform(rng, ConvBnStrideNet.InputSize);
            var (a, b) = (new float[3], new float[3]);
            net.Predict(x, a);
            loaded.Predict(x, b);
            Assert.Equal(a, b);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SafeTensorsCarryTheConvolutionsGammaBetaAndStatistics()
    {
        var net = new ConvBnStrideNet(10);
        var rng = new Random(10);
        for (int step = 0; step < 3; step++)
            net.TrainBatch(Uniform(rng, 4 * ConvBnStrideNet.InputSize), Enumerable.Range(0, 4).Select(_ => rng.Next(3)).ToArray());
        string path = Path.Combine(Path.GetTempPath(), $"convbn-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(net, path);
            var loaded = new ConvBnStrideNet(98);
            SafeTensors.Load(loaded, path);
            Assert.Equal(net.BatchNormStatistics.ToArray(), loaded.BatchNormStatistics.ToArray());
            Assert.Equal(net.Parameters.ToArray(), loaded.Parameters.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void PredictAndATrainingStepAllocateNothingAfterWarmUp()
    {
        var net = new ConvBnSplitNet(1) { TrainingThreads = 1 };
        var rng = new Random(9);
        var xs = Uniform(rng, ConvBnSplitNet.BatchSize * ConvBnSplitNet.InputSize);
        var labels = Enumerable.Range(0, ConvBnSplitNet.BatchSize).Select(i => i % 10).ToArray();
        var y = new float[ConvBnSplitNet.OutputSize];
        Assert.Equal(0, Allocations.Of(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                net.TrainBatch(xs, labels);
                net.Predict(xs.AsSpan(0, ConvBnSplitNet.InputSize), y);
            }
        }));
    }
}

/// <summary>A split step of a network with batch norm and dropout on its convolutions: the one-thread step up to rounding.</summary>
[Collection(WorkerPoolCollection.Name)]
public class ConvBatchNormSplitTests
{
    private static (float[] X, int[] Labels) Batch(int rows, int seed) => RandomBatch.Of(rows, ConvBnSplitNet.InputSize, 10, seed);

    [Theory]
    [InlineData(2, 32)]
    [InlineData(3, 29)]
    public void TheSplitStepHasTheOneThreadMasksStatisticsAndGradientUpToRounding(int threads, int rows)
    {
        Assert.True(rows >= ConvBnSplitNet.SplitMinRows, $"{rows} rows are not split (SplitMinRows {ConvBnSplitNet.SplitMinRows})");
        var one = new ConvBnSplitNet(3) { TrainingThreads = 1 };
        var many = new ConvBnSplitNet(3) { TrainingThreads = threads };
        var (x, labels) = Batch(rows, rows);
        Assert.Equal(one.ComputeGradients(x, labels), many.ComputeGradients(x, labels), 1e-5f);
        Assert.True(one.FeatureDropoutMask(3).SequenceEqual(many.FeatureDropoutMask(3)), "the dropout masks differ");
        var (s1, sn) = (one.BatchNormStatistics.ToArray(), many.BatchNormStatistics.ToArray());
        for (int j = 0; j < s1.Length; j++)
            Assert.True(Math.Abs(s1[j] - sn[j]) <= 1e-5f * Math.Max(1, Math.Abs(s1[j])), $"running statistic {j}: {s1[j]} on one thread, {sn[j]} on {threads}");
        SplitChecks.GradientsDifferOnlyInRounding(one, many, $"{threads} threads, {rows} rows");
    }

    [Fact]
    public void AFixedThreadCountGivesTheSameBitsOnEveryRunAndLearnsLikeOneThread()
        => SplitChecks.SameBitsOnEveryRunAndLearnsLikeOneThread(() => new ConvBnSplitNet(9), s => Batch(32, 100 + s));

    [Fact]
    public void SplitStepsAllocateNothingAfterWarmUp()
    {
        var net = new ConvBnSplitNet(1) { TrainingThreads = 2 };
        var (x, labels) = Batch(32, 1);
        Assert.Equal(0, Allocations.Of(() => { for (int i = 0; i < 5; i++) net.TrainBatch(x, labels); }));
    }
}
