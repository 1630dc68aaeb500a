using System;
using System.Collections.Generic;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>Sampled per-step progress: when it is reported, what it says, and that it allocates nothing.</summary>
public class StepProgressTests
{
    [Fact]
    public void StepsAreReportedEveryIntervalAndAtTheLastStepOfEachEpoch()
    {
        // 100 examples in batches of 16: 7 steps per epoch (the last of 4); interval 3 → steps 3, 6 and 7.
        var reports = new List<StepReport>();
        var net = new SmoothFunctionNet(1) { TrainingThreads = 1 };
        Trainer.Train(net, RegressionTrainingTests.SmoothFunction(100, 1), new TrainingOptions
        {
            Epochs = 2,
            StepProgress = new SynchronousProgress<StepReport>(reports.Add),
            StepProgressInterval = 3,
        });
        Assert.Equal(new long[] { 3, 6, 7, 3, 6, 7 }, reports.ConvertAll(r => r.Step));
        Assert.Equal(new[] { 1, 1, 1, 2, 2, 2 }, reports.ConvertAll(r => r.Epoch));
        Assert.Equal(new[] { 48, 96, 100, 48, 96, 100 }, reports.ConvertAll(r => r.Examples));
        Assert.All(reports, r => Assert.Equal(7, r.StepsInEpoch));
        Assert.All(reports, r => Assert.Equal(100, r.ExamplesInEpoch));
    }

    [Fact]
    public void LastStepReportsTheEpochsMeanLoss()
    {
        var reports = new List<StepReport>();
        var net = new SmoothFunctionNet(1) { TrainingThreads = 1 };
        var result = Trainer.Train(net, RegressionTrainingTests.SmoothFunction(100, 1), new TrainingOptions
        {
            Epochs = 1,
            StepProgress = new SynchronousProgress<StepReport>(reports.Add),
            StepProgressInterval = 1000,
        });
        Assert.Single(reports);
        Assert.Equal(result.Epochs[0].TrainLoss, reports[0].MeanLoss, 12);
    }

    [Fact]
    public void IntervalBelowOneIsRefused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(new SmoothFunctionNet(1), RegressionTrainingTests.SmoothFunction(8, 1),
            new TrainingOptions { StepProgressInterval = 0 }));
        Assert.Contains("StepProgressInterval must be at least 1", ex.Message);
    }

    private sealed class CountingProgress : IProgress<StepReport>
    {
        public int Calls;
        public double LastLoss;
        public void Report(StepReport value) { Calls++; LastLoss = value.MeanLoss; }
    }

    [Fact]
    public void ReportingEveryStepAllocatesNothing()
    {
        var net = new SmoothFunctionNet(1) { TrainingThreads = 1 };
        var progress = new CountingProgress();
        var trainer = new EpochTrainer<SmoothFunctionNet>(net, RegressionTrainingTests.SmoothFunction(160, 2), 1)
        {
            StepProgress = progress,
            StepProgressInterval = 1,
        };
        long bytes = Allocations.Of(() => trainer.RunEpoch());
        Assert.Equal(0, bytes);
        Assert.True(progress.Calls >= 10 * 3, $"{progress.Calls} reports"); // 10 steps per epoch, at least three epochs measured
        Assert.Equal(0, progress.Calls % 10);
    }
}
