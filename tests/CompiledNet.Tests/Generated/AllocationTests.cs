using System;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

public class AllocationTests
{
    [Fact]
    public void PredictClassifyAndLossAllocateNothingAfterWarmUp()
    {
        var net = new SpiralNet(1);
        var x = new float[] { 0.3f, -0.7f };
        var y = new float[SpiralNet.OutputSize];
        float sink = 0;
        long allocated = Allocations.Of(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                net.Predict(x, y);
                sink += net.Classify(x) + net.Loss(x, 1) + y[0];
            }
        });
        Assert.Equal(0, allocated);
        Assert.True(float.IsFinite(sink));
    }

    [Fact]
    public void TrainingStepAllocatesNothingAfterWarmUp()
    {
        var net = new SpiralNet(1);
        var xs = new float[SpiralNet.BatchSize * 2];
        var labels = new int[SpiralNet.BatchSize];
        for (int i = 0; i < labels.Length; i++) { xs[2 * i] = i * 0.1f; xs[2 * i + 1] = -i * 0.05f; labels[i] = i % 2; }
        Assert.Equal(0, Allocations.Of(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                net.TrainBatch(xs, labels);
                net.TrainBatch(xs.AsSpan(0, 6), labels.AsSpan(0, 3)); // a partial batch too
            }
        }));
    }

    [Fact]
    public void WideNetworkPredictAllocatesOnlyOnItsFirstCallPerThread()
    {
        var net = new WideNet(1);
        var x = new float[WideNet.InputSize];
        var y = new float[WideNet.OutputSize];
        long first = GC.GetAllocatedBytesForCurrentThread();
        net.Predict(x, y); // allocates this thread's buffer for 20000 hidden activations
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - first >= 20000 * sizeof(float));
        Assert.Equal(0, Allocations.Of(() => { for (int i = 0; i < 10; i++) net.Predict(x, y); }));
    }

    [Fact]
    public void AnEpochOfAGeneratedNetworkWithAdamBatchNormAndDropoutAllocatesNothing()
    {
        // 100 examples in batches of 6: a partial batch of 4 at the end of every epoch.
        var rng = new Random(5);
        var features = new float[100 * CombinedNet.InputSize];
        for (int i = 0; i < features.Length; i++) features[i] = (float)rng.NextDouble();
        var labels = new int[100];
        for (int i = 0; i < labels.Length; i++) labels[i] = i % 2;
        var data = new Dataset(features, CombinedNet.InputSize, labels, 2);
        var trainer = new EpochTrainer<CombinedNet>(new CombinedNet(1), data, seed: 2);
        Assert.Equal(0, Allocations.Of(() => trainer.RunEpoch()));
    }
}
