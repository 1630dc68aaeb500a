using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CompiledNet.CompilerServices;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>Convolutional networks in training and inference: learning, every optimizer, regularisers, allocation, PredictBatch, checkpoints, safetensors.</summary>
public class ConvTrainingTests
{
    /// <summary>8×8 images with one horizontal (label 0) or vertical (label 1) bar of 4 pixels at a random place, plus noise.</summary>
    private static (float[] X, int[] Labels) Bars(int rows, int seed)
    {
        var rng = new Random(seed);
        var x = new float[rows * 64];
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int label = rng.Next(2), i = rng.Next(label == 0 ? 8 : 5), j = rng.Next(label == 0 ? 5 : 8);
            for (int k = 0; k < 64; k++) x[r * 64 + k] = (float)(rng.NextDouble() * 0.2);
            for (int k = 0; k < 4; k++) x[r * 64 + (label == 0 ? i * 8 + j + k : (i + k) * 8 + j)] = 1f;
            labels[r] = label;
        }
        return (x, labels);
    }

    public static IEnumerable<object[]> Optimizers()
    {
        yield return new object[] { "SGD, L2", (Func<ITrainable>)(() => new BarsSgdNet(1)) };
        yield return new object[] { "momentum, weight decay", (Func<ITrainable>)(() => new BarsMomentumNet(1)) };
        yield return new object[] { "Nesterov", (Func<ITrainable>)(() => new BarsNesterovNet(1)) };
        yield return new object[] { "Adagrad, L1", (Func<ITrainable>)(() => new BarsAdagradNet(1)) };
        yield return new object[] { "RMSProp", (Func<ITrainable>)(() => new BarsRmsPropNet(1)) };
        yield return new object[] { "Adam", (Func<ITrainable>)(() => new BarsAdamNet(1)) };
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void EveryOptimizerLearnsTheBarsTask(string name, Func<ITrainable> create)
    {
        var net = create();
        for (int step = 0; step < 300; step++)
        {
            var (x, labels) = Bars(16, step);
            net.TrainBatch(x, labels);
        }
        var (tx, tl) = Bars(400, 12345);
        var classify = (INetwork)net;
        var y = new float[2];
        int right = 0;
        for (int r = 0; r < tl.Length; r++)
        {
            classify.Predict(tx.AsSpan(r * 64, 64), y);
            if ((y[1] > y[0] ? 1 : 0) == tl[r]) right++;
        }
        Assert.True(right >= 0.95 * tl.Length, $"{name}: {right} of {tl.Length} unseen images right");
    }

    [Fact]
    public void L1AndL2ApplyToConvolutionWeightsAndNotToTheirBiases()
    {
        var net = new ConvRegularizedNet(3);
        var p = net.Parameters;
        for (int j = 0; j < p.Length; j++) p[j] = 0.05f * (j % 7 - 3) + 0.01f;
        var before = p.ToArray();
        net.Gradients.Clear(); // no loss gradient: only the regularisers move the weights
        net.ApplyGradients();
        var layer = ((IConvolutional)net).FeatureLayers[0];
        const float eta = 0.5f, l1 = 0.01f, l2 = 0.1f;
        for (int j = 0; j < layer.WeightCount; j++)
        {
            // the coupled L2 gradient 2·L2·w of the weight as it was, the L1 shift toward zero, then the SGD step
            float w = before[layer.WeightOffset!.Value + j];
            float shifted = MathF.Sign(w) * MathF.Max(MathF.Abs(w) - eta * l1, 0f);
            float expected = shifted - eta * (2 * l2 * w);
            Assert.Equal(expected, p[layer.WeightOffset!.Value + j], 1e-6f);
        }
        for (int j = 0; j < layer.OutputChannels; j++)
            Assert.Equal(before[layer.BiasOffset!.Value + j], p[layer.BiasOffset!.Value + j]);
    }

    [Fact]
    public void PredictClassifyAndATrainingStepAllocateNothingAfterWarmUp()
    {
        var net = new ConvStrideNet(1);
        var x = new float[ConvStrideNet.InputSize];
        var y = new float[ConvStrideNet.OutputSize];
        var (xs, labels) = RandomBatch.Of(ConvStrideNet.BatchSize, ConvStrideNet.InputSize, 3, 5);
        float sink = 0;
        Assert.Equal(0, Allocations.Of(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                net.Predict(x, y);
                sink += net.Classify(x) + y[0];
                net.TrainBatch(xs, labels);
                net.TrainBatch(xs.AsSpan(0, 2 * ConvStrideNet.InputSize), labels.AsSpan(0, 2));
            }
        }));
        Assert.True(float.IsFinite(sink));
    }

    [Fact]
    public void BelowPredictPackMinRowsPredictBatchGivesPredictsBitsRowByRow()
    {
        var net = new ConvMaxPoolNet(4) { InferenceThreads = 1 };
        int rows = ConvMaxPoolNet.PredictPackMinRows - 1;
        var (xs, _) = RandomBatch.Of(rows, ConvMaxPoolNet.InputSize, 2, 6);
        var batch = new float[rows * 2];
        net.PredictBatch(xs, batch);
        var y = new float[2];
        for (int r = 0; r < rows; r++)
        {
            net.Predict(xs.AsSpan(r * ConvMaxPoolNet.InputSize, ConvMaxPoolNet.InputSize), y);
            Assert.Equal(y, batch.AsSpan(r * 2, 2).ToArray());
        }
    }

    [Fact]
    public void WithPackedDenseWeightsPredictBatchEqualsPredictWithin1e5()
    {
        // from PredictPackMinRows rows on the dense layers run through Gemm on packed weights, which fuses every
        // multiply-add: the same values as Predict up to float rounding; 70 rows = a full packed chunk's part plus a partial one
        var net = new ConvMaxPoolNet(4) { InferenceThreads = 1 };
        const int rows = 70;
        Assert.True(rows >= ConvMaxPoolNet.PredictPackMinRows);
        var (xs, _) = RandomBatch.Of(rows, ConvMaxPoolNet.InputSize, 2, 6);
        var batch = new float[rows * 2];
        net.PredictBatch(xs, batch);
        var y = new float[2];
        for (int r = 0; r < rows; r++)
        {
            net.Predict(xs.AsSpan(r * ConvMaxPoolNet.InputSize, ConvMaxPoolNet.InputSize), y);
            for (int k = 0; k < 2; k++)
            {
                double difference = Math.Abs(y[k] - batch[r * 2 + k]) / Math.Max(1e-3, Math.Abs(y[k]));
                Assert.True(difference <= 1e-5, $"row {r} output {k}: Predict {y[k]:R}, PredictBatch {batch[r * 2 + k]:R}");
            }
        }
    }

    [Fact]
    public void WithWinogradLayersPredictBatchOnTwoThreadsFollowsChangedWeightsAndEqualsPredict()
    {
        // WinogradNet's convolutions check their cached filters once per chunk of PredictBatch, on every thread taking
        // part: after a weight changes (no other call in between), every row of the next batch must see it
        var net = new WinogradNet(6) { InferenceThreads = 2 };
        const int rows = 150;
        var (xs, _) = RandomBatch.Of(rows, WinogradNet.InputSize, 3, 7);
        var batch = new float[rows * 3];
        net.PredictBatch(xs, batch);
        for (int j = 0; j < 200; j++) net.Parameters[j] += 0.25f; // the first convolution's and the second's first weights
        net.PredictBatch(xs, batch);
        var y = new float[3];
        for (int r = 0; r < rows; r++)
        {
            net.Predict(xs.AsSpan(r * WinogradNet.InputSize, WinogradNet.InputSize), y);
            for (int k = 0; k < 3; k++)
            {
                double difference = Math.Abs(y[k] - batch[r * 3 + k]) / Math.Max(1e-3, Math.Abs(y[k]));
                Assert.True(difference <= 1e-5, $"row {r} output {k}: Predict {y[k]:R}, PredictBatch {batch[r * 3 + k]:R}");
            }
        }
    }

    [Fact]
    public void SafeTensorsWritesConvolutionWeightsAsOutInKernelHeightKernelWidth()
    {
        var net = new ConvMaxPoolNet(5);
        var (xs, labels) = RandomBatch.Of(3, ConvMaxPoolNet.InputSize, 2, 7);
        net.TrainBatch(xs, labels);
        string path = Path.Combine(Path.GetTempPath(), $"compilednet-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(net, path);
            const string script = """
                import json, struct, sys
                data = open(sys.argv[1], 'rb').read()
                (n,) = struct.unpack('<Q', data[:8])
                header = json.loads(data[8:8 + n])
                body = data[8 + n:]
                for name in sorted(k for k in header if k != '__metadata__'):
                    t = header[name]
                    b, e = t['data_offsets']
                    values = struct.unpack('<%df' % ((e - b) // 4), body[b:e])
                    print(name, 'x'.join(map(str, t['shape'])), ' '.join(repr(v) for v in values))
                """;
            var lines = SafeTensorsTests.RunPython(script, path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var layers = ((IConvolutional)net).FeatureLayers;
            var p = net.Parameters;
            Assert.Equal(p.Slice(layers[0].WeightOffset!.Value, 18).ToArray(), SafeTensorsTests.Tensor(lines, "conv1.weight", "2x1x3x3"));
            Assert.Equal(p.Slice(layers[0].BiasOffset!.Value, 2).ToArray(), SafeTensorsTests.Tensor(lines, "conv1.bias", "2"));
            Assert.Equal(p.Slice(layers[2].WeightOffset!.Value, 24).ToArray(), SafeTensorsTests.Tensor(lines, "conv3.weight", "3x2x2x2"));
            Assert.DoesNotContain(lines, l => l.StartsWith("conv3.bias ", StringComparison.Ordinal));
            Assert.Equal(5, lines.Length); // conv1.weight, conv1.bias, conv3.weight, layer1.weight, layer1.bias

            var copy = new ConvMaxPoolNet(99);
            SafeTensors.Load(copy, path);
            Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ACheckpointRestoresAConvolutionalNetworkAndRefusesAnotherShape()
    {
        var net = new ConvStrideNet(6);
        var (xs, labels) = RandomBatch.Of(4, ConvStrideNet.InputSize, 3, 8);
        net.TrainBatch(xs, labels);
        string path = Path.Combine(Path.GetTempPath(), $"compilednet-{Guid.NewGuid():N}.ckpt");
        try
        {
            Checkpoint.Save(net, path);
            var copy = new ConvStrideNet(7);
            Checkpoint.Load(copy, path);
            Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
            Assert.Equal(net.OptimizerState.ToArray(), copy.OptimizerState.ToArray());
            Assert.NotEqual(ConvStrideNet.Fingerprint, ConvMaxPoolNet.Fingerprint);
            Assert.ThrowsAny<Exception>(() => Checkpoint.Load(new PoolFirstNet(1), path));
        }
        finally { File.Delete(path); }
    }
}

/// <summary>Convolutional networks split across training threads: only the rounding of the gradient sums changes.</summary>
[Collection(WorkerPoolCollection.Name)]
public class ConvThreadedTrainingTests
{
    [Fact]
    public void ConvolutionalNetworksSplitTheirBatches()
    {
        Assert.True(ConvSplitNet.SplitMinRows <= 16, $"SplitMinRows = {ConvSplitNet.SplitMinRows}");
        Assert.IsAssignableFrom<IParallelStep>(new ConvSplitNet(1));
        Assert.IsAssignableFrom<IParallelStep>(new ConvBatchNormNet(1));
    }

    [Theory]
    [InlineData(2, 32)]
    [InlineData(3, 29)]
    public void SplittingChangesOnlyTheRoundingOfTheGradient(int threads, int rows)
    {
        var one = new ConvSplitNet(3) { TrainingThreads = 1 };
        var many = new ConvSplitNet(3) { TrainingThreads = threads };
        var (x, labels) = RandomBatch.Of(rows, ConvSplitNet.InputSize, 10, rows);
        Assert.Equal(one.ComputeGradients(x, labels), many.ComputeGradients(x, labels), 1e-5f);
        SplitChecks.GradientsDifferOnlyInRounding(one, many, $"{threads} threads, {rows} rows");
    }

    [Fact]
    public void ABatchNormalisedDenseLayerAfterConvolutionsSplitsInSegments()
    {
        var one = new ConvBatchNormNet(4) { TrainingThreads = 1 };
        var two = new ConvBatchNormNet(4) { TrainingThreads = 2 };
        var (x, labels) = RandomBatch.Of(30, ConvBatchNormNet.InputSize, 3, 9);
        Assert.Equal(one.ComputeGradients(x, labels), two.ComputeGradients(x, labels), 1e-5f);
        SplitChecks.GradientsDifferOnlyInRounding(one, two, "batch norm after convolutions, 2 threads");
    }

    [Fact]
    public void AFixedThreadCountGivesTheSameBitsOnEveryRunAndLearnsLikeOneThread()
        => SplitChecks.SameBitsOnEveryRunAndLearnsLikeOneThread(() => new ConvSplitNet(7), s => RandomBatch.Of(32, ConvSplitNet.InputSize, 10, 200 + s));
}
