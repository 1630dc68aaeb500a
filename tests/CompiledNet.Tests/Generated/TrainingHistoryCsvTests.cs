using System;
using System.Globalization;
using System.IO;
using System.Linq;
using CompiledNet.Tests.Networks;
using CompiledNet.Tests.Runtime;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary><see cref="TrainingResult.WriteCsv"/>: the columns follow the kind of data the run trained on.</summary>
public sealed class TrainingHistoryCsvTests : IDisposable
{
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("cnet-history-").FullName, "history.csv");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);

    private static double Cell(string[] header, string[] row, string column)
        => double.Parse(row[Array.IndexOf(header, column)], CultureInfo.InvariantCulture);

    [Fact]
    public void ClassificationHistoryHasAccuracyColumns()
    {
        var (x, labels) = RandomBatch.Of(40, 2, 2, 3);
        var data = new Dataset(x, 2, labels, 2);
        var result = Trainer.Train(new TwoBlobNet(1), data, new TrainingOptions { Epochs = 2, TestData = data, ValidationData = data });
        Assert.False(result.IsRegression);
        result.WriteCsv(_path);
        var lines = File.ReadAllLines(_path);
        Assert.Equal(3, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal("epoch,train_loss,learning_rate,seconds,steps,validation_loss,validation_accuracy,test_loss,test_accuracy,rollbacks", lines[0]);
        var row = lines[2].Split(',');
        Assert.Equal(header.Length, row.Length);
        var report = result.Epochs[1];
        Assert.Equal(2, Cell(header, row, "epoch"));
        Assert.Equal(report.TestAccuracy, Cell(header, row, "test_accuracy"));
        Assert.Equal(report.ValidationAccuracy, Cell(header, row, "validation_accuracy"));
        Assert.Equal(report.TestLoss, Cell(header, row, "test_loss"));
    }

    [Fact]
    public void RegressionHistoryHasRmseMaeAndRSquaredInPlaceOfAccuracy()
    {
        var train = RegressionTrainingTests.SmoothFunction(96, 1);
        var test = RegressionTrainingTests.SmoothFunction(40, 2);
        var net = new SmoothFunctionNet(1) { TrainingThreads = 1 };
        var result = Trainer.Train(net, train, new TrainingOptions { Epochs = 2, TestData = test, ValidationData = train });
        Assert.True(result.IsRegression);
        result.WriteCsv(_path);
        var lines = File.ReadAllLines(_path);
        Assert.Equal(3, lines.Length);
        Assert.Equal("epoch,train_loss,learning_rate,seconds,steps,validation_loss,validation_rmse,validation_mae,validation_r2,test_loss,test_rmse,test_mae,test_r2,rollbacks", lines[0]);
        var header = lines[0].Split(',');
        var row = lines[2].Split(',');
        Assert.Equal(header.Length, row.Length);

        // The last row describes the trained network: its test metrics, recomputed here in double from Predict.
        double squared = 0, absolute = 0, mean = 0, spread = 0;
        var y = new float[1];
        for (int i = 0; i < test.Count; i++) mean += test.Targets(i)[0] / (double)test.Count;
        for (int i = 0; i < test.Count; i++)
        {
            net.Predict(test.Features(i), y);
            double error = y[0] - (double)test.Targets(i)[0];
            squared += error * error;
            absolute += Math.Abs(error);
            spread += (test.Targets(i)[0] - mean) * (test.Targets(i)[0] - mean);
        }
        Assert.Equal(Math.Sqrt(squared / test.Count), Cell(header, row, "test_rmse"), 1e-5);
        Assert.Equal(absolute / test.Count, Cell(header, row, "test_mae"), 1e-5);
        Assert.Equal(1 - squared / spread, Cell(header, row, "test_r2"), 1e-5);
        var validation = result.Epochs[1].ValidationRegression!.Value;
        Assert.Equal(validation.Rmse, Cell(header, row, "validation_rmse"));
        Assert.Equal(validation.Mae, Cell(header, row, "validation_mae"));
        Assert.Equal(validation.RSquared, Cell(header, row, "validation_r2"));
    }

    [Fact]
    public void RegressionHistoryWithoutEvaluationSetsLeavesTheMetricCellsEmpty()
    {
        var result = Trainer.Train(new SmoothFunctionNet(1) { TrainingThreads = 1 }, RegressionTrainingTests.SmoothFunction(32, 1), new TrainingOptions { Epochs = 1 });
        result.WriteCsv(_path);
        var lines = File.ReadAllLines(_path);
        Assert.Contains("test_rmse", lines[0]);
        Assert.Equal(new[] { "", "", "", "", "", "", "", "" }, lines[1].Split(',')[5..13]);
    }
}
