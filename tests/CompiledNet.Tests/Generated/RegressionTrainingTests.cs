using System;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>Training a quadratic-loss network on regression data end to end.</summary>
public class RegressionTrainingTests
{
    /// <summary>y = sin(x1) + x2² for x1, x2 uniform in [−1, 1] (target standard deviation about 0.6).</summary>
    internal static Dataset SmoothFunction(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * 2];
        var y = new float[count];
        for (int i = 0; i < count; i++)
        {
            float x1 = (float)(random.NextDouble() * 2 - 1), x2 = (float)(random.NextDouble() * 2 - 1);
            x[2 * i] = x1;
            x[2 * i + 1] = x2;
            y[i] = MathF.Sin(x1) + x2 * x2;
        }
        return Dataset.ForRegression(x, 2, y);
    }

    [Fact]
    public void NetworkLearnsSinOfX1PlusX2SquaredToAnRmseBelowFivePercentOfTheRange()
    {
        var train = SmoothFunction(512, 1);
        var test = SmoothFunction(256, 2);
        var net = new SmoothFunctionNet(1) { TrainingThreads = 1 };
        var before = Evaluator.EvaluateRegression(net, test);
        var result = Trainer.Train(net, train, new TrainingOptions { Epochs = 60, Seed = 1, TestData = test });
        var after = Evaluator.EvaluateRegression(net, test);
        // The targets span [−0.84, 1.84]; 0.08 is 3 % of that range and under a seventh of their standard deviation.
        Assert.True(after.Rmse < 0.08, $"test RMSE {after.Rmse} (untrained {before.Rmse})");
        Assert.True(after.RSquared > 0.98, $"test R² {after.RSquared}");
        Assert.Equal(after, result.Epochs[^1].TestRegression);
    }

    [Fact]
    public void EpochReportOfRegressionDataCarriesRegressionMetricsAndNoAccuracy()
    {
        var net = new SmoothFunctionNet(1) { TrainingThreads = 1 };
        var data = SmoothFunction(64, 3);
        var (train, validation) = data.Split(0.25, 1);
        var report = Trainer.Train(net, train, new TrainingOptions { Epochs = 1, TestData = validation, ValidationData = validation }).Epochs[0];
        Assert.Null(report.TestAccuracy);
        Assert.Null(report.ValidationAccuracy);
        Assert.NotNull(report.TestRegression);
        Assert.Equal(report.TestRegression!.Value.MeanLoss, report.TestLoss);
        Assert.Equal(report.ValidationRegression!.Value.MeanLoss, report.ValidationLoss);
    }

    [Fact]
    public void TestDataOfTheOtherKindIsRefused()
    {
        var net = new SmoothFunctionNet(1);
        var classification = new Dataset(new float[4], 2, [0, 1], 2);
        var ex = Assert.Throws<ArgumentException>(() => Trainer.Train(net, SmoothFunction(8, 1), new TrainingOptions { TestData = classification }));
        Assert.Contains("TrainingOptions.TestData is classification data, but the training set is regression data", ex.Message);
    }

    [Fact]
    public void TargetsOfTheWrongWidthAreRefused()
    {
        var data = Dataset.ForRegression(new float[4], 2, new float[4], 2);
        var ex = Assert.Throws<ArgumentException>(() => new EpochTrainer<SmoothFunctionNet>(new SmoothFunctionNet(1), data, 1));
        Assert.Contains("2 targets per example, but the network has 1 outputs", ex.Message);
    }

    [Fact]
    public void RegressionEpochAllocatesNothing()
    {
        var net = new SmoothFunctionNet(1) { TrainingThreads = 1 };
        var trainer = new EpochTrainer<SmoothFunctionNet>(net, SmoothFunction(100, 4), 1);
        Assert.Equal(0, Allocations.Of(() => trainer.RunEpoch()));
    }
}
