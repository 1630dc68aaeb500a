using System;
using System.Collections.Generic;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

public class DivergenceTests
{
    private static Dataset Data()
    {
        var rng = new Random(3);
        var features = new float[256 * 4];
        for (int j = 0; j < features.Length; j++) features[j] = (float)(rng.NextDouble() * 4 - 2);
        return new Dataset(features, 4, Enumerable.Range(0, 256).Select(i => i % 2).ToArray(), 2);
    }

    [Fact]
    public void AnExplodingLearningRateStopsWithEpochStepLayerAndLastFiniteLoss()
    {
        var net = new LsqSgd(1) { LearningRate = 50f };
        var ex = Assert.Throws<TrainingDivergedException>(() => Trainer.Train(net, Data(), new TrainingOptions { Epochs = 5 }));
        Assert.InRange(ex.Epoch, 1, 5);
        Assert.True(ex.Step > 0);
        Assert.True(double.IsFinite(ex.LastFiniteLoss));
        Assert.Contains("layer 1 (Dense 4 → 1 Linear)", ex.Message);
        Assert.Contains($"epoch {ex.Epoch} at step {ex.Step}", ex.Message);
        Assert.Equal(50f, ex.LearningRate);
    }

    [Fact]
    public void RollBackRestoresTheEpochAndRetriesAtALowerRate()
    {
        var net = new LsqSgd(1) { LearningRate = 50f };
        var reports = new List<EpochReport>();
        Trainer.Train(net, Data(), new TrainingOptions
        {
            Epochs = 3,
            Divergence = DivergencePolicy.RollBack,
            RollBackRateFactor = 0.1f,
            MaxRollBacks = 5,
        }, new SynchronousProgress<EpochReport>(reports.Add));
        Assert.True(reports.Sum(r => r.RollBacks) >= 1);
        Assert.True(reports[^1].LearningRate < 50f);
        Assert.All(reports, r => Assert.True(double.IsFinite(r.TrainLoss)));
        Assert.All(net.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
    }

    [Fact]
    public void RollBackGivesUpAfterItsBudget()
    {
        var net = new LsqSgd(1) { LearningRate = 1e6f };
        var ex = Assert.Throws<TrainingDivergedException>(() => Trainer.Train(net, Data(), new TrainingOptions
        {
            Epochs = 2,
            Divergence = DivergencePolicy.RollBack,
            RollBackRateFactor = 0.9f,
            MaxRollBacks = 2,
        }));
        Assert.True(ex.LearningRate < 1e6f); // it did roll back before giving up
    }

    [Fact]
    public void ClippingScalesTheGradientToTheMaximumNorm()
    {
        var g = new float[] { 3f, 4f };
        GradientClipping.ClipByNorm(g, 1f);
        Assert.Equal(0.6f, g[0], 6);
        Assert.Equal(0.8f, g[1], 6);
        var small = new float[] { 0.3f, 0.4f };
        GradientClipping.ClipByNorm(small, 1f);
        Assert.Equal(new[] { 0.3f, 0.4f }, small);
    }

    [Fact]
    public void WithClippingAnOtherwiseDivergingRunStaysFinite()
    {
        var net = new LsqSgd(1) { LearningRate = 50f };
        Assert.Throws<TrainingDivergedException>(() => Trainer.Train(new LsqSgd(1) { LearningRate = 50f }, Data(), new TrainingOptions { Epochs = 3 }));
        var result = Trainer.Train(net, Data(), new TrainingOptions { Epochs = 3, MaxGradientNorm = 0.05f });
        Assert.All(result.Epochs, r => Assert.True(double.IsFinite(r.TrainLoss)));
    }

    [Fact]
    public void DescribeParameterNamesLayerSegmentAndPosition()
    {
        var net = new BatchNormNet();
        Assert.Equal("layer 1 (Dense 5 → 9 Tanh, batch norm) weight W[1, 2]", net.DescribeParameter(9 + 2));
        Assert.Equal("layer 1 (Dense 5 → 9 Tanh, batch norm) γ[0]", net.DescribeParameter(45));
        Assert.Equal("layer 1 (Dense 5 → 9 Tanh, batch norm) β[8]", net.DescribeParameter(45 + 9 + 8));
        Assert.StartsWith("layer 3 (Dense 17 → 4 Softmax) bias b[3]", net.DescribeParameter(BatchNormNet.ParameterCount - 1));
    }
}
