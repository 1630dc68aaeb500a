using System;
using Xunit;

namespace CompiledNet.Tests.Generated;

// A network of its own, so that switching EpochTrainer<PrefetchProbeNet>'s prefetch off touches no other test.
[Network(Input = 40, BatchSize = 8)]
[Dense(16, Activation.ReLU)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Momentum, LearningRate = 0.05f)]
public partial class PrefetchProbeNet { }

/// <summary>
/// EpochTrainer asks the CPU for the next batch's rows while a step computes: a hint that must change nothing. Three
/// epochs of 93 rows (11 batches of 8 and a partial one of 5) give the same parameters, bit for bit, with and without it.
/// </summary>
public class PrefetchTests
{
    private static float[] Train(bool prefetch)
    {
        var rng = new Random(5);
        const int rows = 93; // 11 full batches of 8 and a partial one of 5
        var features = new float[rows * 40];
        for (int i = 0; i < features.Length; i++) features[i] = (float)(rng.NextDouble() * 2 - 1);
        var labels = new int[rows];
        for (int i = 0; i < rows; i++) labels[i] = rng.Next(3);
        var net = new PrefetchProbeNet(3) { TrainingThreads = 1 };
        var trainer = new EpochTrainer<PrefetchProbeNet>(net, new Dataset(features, 40, labels, 3), 11);
        bool before = EpochTrainer<PrefetchProbeNet>.PrefetchNextBatch;
        EpochTrainer<PrefetchProbeNet>.PrefetchNextBatch = prefetch;
        try
        {
            for (int epoch = 0; epoch < 3; epoch++) trainer.RunEpoch();
        }
        finally
        {
            EpochTrainer<PrefetchProbeNet>.PrefetchNextBatch = before;
        }
        return net.Parameters.ToArray();
    }

    [Fact]
    public void TrainingGivesTheSameBitsWithAndWithoutThePrefetch()
    {
        var with = Train(prefetch: true);
        var without = Train(prefetch: false);
        Assert.Equal(without.Length, with.Length);
        for (int i = 0; i < with.Length; i++)
            Assert.True(BitConverter.SingleToUInt32Bits(without[i]) == BitConverter.SingleToUInt32Bits(with[i]), $"parameter {i}: {without[i]} without, {with[i]} with the prefetch");
    }
}
