using System;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>
/// A stand-in network whose outputs are its inputs (so a test chooses the predictions) and whose class is its first
/// input; its target loss is the quadratic loss Σ (ŷ − y)².
/// </summary>
internal sealed class EchoNet(int size, int outputs) : INetwork
{
    public int InputSize => size;
    public int OutputSize => outputs;
    public void Predict(ReadOnlySpan<float> x, Span<float> y) => x[..outputs].CopyTo(y);
    public int Classify(ReadOnlySpan<float> x) => (int)x[0];
    public float Loss(ReadOnlySpan<float> x, int label) => label;
    public float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> target)
    {
        float sum = 0;
        for (int j = 0; j < outputs; j++) sum += (x[j] - target[j]) * (x[j] - target[j]);
        return sum;
    }
}

/// <summary>Regression metrics and the classification report against values worked out by hand.</summary>
public class EvaluationTests
{
    [Fact]
    public void RegressionMetricsOfOneTargetMatchHandComputedValues()
    {
        // ŷ = 1, 2, 3, 4 against y = 2, 2, 4, 8: errors −1, 0, −1, −4; Σe² = 18, Σ|e| = 6; ȳ = 4, Σ(y − ȳ)² = 24.
        var data = Dataset.ForRegression([1, 2, 3, 4], 1, [2, 2, 4, 8]);
        var m = Evaluator.EvaluateRegression(new EchoNet(1, 1), data);
        Assert.Equal(4, m.Count);
        Assert.Equal(Math.Sqrt(18.0 / 4), m.Rmse, 12);
        Assert.Equal(6.0 / 4, m.Mae, 12);
        Assert.Equal(1 - 18.0 / 24, m.RSquared, 12);
        Assert.Equal(18.0 / 4, m.MeanLoss, 6);
    }

    [Fact]
    public void RSquaredOfSeveralTargetsIsTheMeanOfTheColumns()
    {
        // Column 1: ŷ 0, 2 vs y 0, 1 → Σe² 1, Σ(y − ȳ)² 0.5, R² −1. Column 2: ŷ 0, 2 vs y 1, 3 → Σe² 2, Σ(y − ȳ)² 2, R² 0.
        var data = Dataset.ForRegression([0, 0, 2, 2], 2, [0, 1, 1, 3], 2);
        var m = Evaluator.EvaluateRegression(new EchoNet(2, 2), data);
        Assert.Equal(-0.5, m.RSquared, 12);
        Assert.Equal(Math.Sqrt(3.0 / 4), m.Rmse, 12);
        Assert.Equal(3.0 / 4, m.Mae, 12);
    }

    [Fact]
    public void RSquaredIsNaNWhenTheTargetsAreConstant()
    {
        var m = Evaluator.EvaluateRegression(new EchoNet(1, 1), Dataset.ForRegression([1, 2], 1, [5, 5]));
        Assert.True(double.IsNaN(m.RSquared));
        Assert.Equal(Math.Sqrt((16.0 + 9) / 2), m.Rmse, 12);
    }

    [Fact]
    public void RegressionMetricsNeedAsManyOutputsAsTargets()
    {
        var ex = Assert.Throws<ArgumentException>(() => Evaluator.EvaluateRegression(new EchoNet(2, 2), Dataset.ForRegression([1, 2], 2, [5])));
        Assert.Contains("1 targets per example, but the network has 2 outputs", ex.Message);
    }

    [Fact]
    public void EvaluateRefusesRegressionDataPointingToEvaluateRegression()
    {
        var ex = Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(new EchoNet(1, 1), Dataset.ForRegression([1], 1, [5])));
        Assert.Contains("use Evaluator.EvaluateRegression", ex.Message);
    }

    // (actual, predicted): (0,0) (0,0) (0,1) (1,1) (2,2) (2,2) (2,0) (2,1).
    private static ClassificationReport Eight()
        => Evaluator.EvaluateReport(new EchoNet(1, 3), new Dataset([0, 0, 1, 1, 2, 2, 0, 1], 1, [0, 0, 0, 1, 2, 2, 2, 2], 3));

    [Fact]
    public void ConfusionMatrixCountsActualAgainstPredicted()
    {
        var expected = new int[,] { { 2, 1, 0 }, { 0, 1, 0 }, { 1, 1, 2 } };
        Assert.Equal(expected, Eight().ToConfusionMatrix());
    }

    [Fact]
    public void PerClassPrecisionRecallAndF1MatchHandComputedValues()
    {
        var r = Eight();
        // Column sums 3, 3, 2; row sums 3, 1, 4; diagonal 2, 1, 2.
        Assert.Equal(new[] { 2.0 / 3, 1.0 / 3, 1.0 }, new[] { r.Precision(0), r.Precision(1), r.Precision(2) });
        Assert.Equal(new[] { 2.0 / 3, 1.0, 0.5 }, new[] { r.Recall(0), r.Recall(1), r.Recall(2) });
        Assert.Equal(2.0 / 3, r.F1(0), 12);
        Assert.Equal(0.5, r.F1(1), 12);           // 2·(1/3)·1 / (4/3)
        Assert.Equal(2.0 / 3, r.F1(2), 12);       // 2·1·(1/2) / (3/2)
        Assert.Equal(new[] { 3, 1, 4 }, new[] { r.Support(0), r.Support(1), r.Support(2) });
    }

    [Fact]
    public void MacroAveragesAreUnweightedMeansOverTheClasses()
    {
        var r = Eight();
        Assert.Equal(2.0 / 3, r.MacroPrecision, 12);
        Assert.Equal(13.0 / 18, r.MacroRecall, 12);
        Assert.Equal(11.0 / 18, r.MacroF1, 12);
        Assert.Equal(5.0 / 8, r.Accuracy, 12);
        Assert.Equal(8, r.Count);
    }

    [Fact]
    public void AClassNeitherPresentNorPredictedScoresZero()
    {
        // The network has four outputs; class 3 never occurs and is never predicted.
        var r = Evaluator.EvaluateReport(new EchoNet(1, 4), new Dataset([0, 1], 1, [0, 1], 2));
        Assert.Equal(4, r.ClassCount);
        Assert.Equal(0, r.Precision(3));
        Assert.Equal(0, r.Recall(3));
        Assert.Equal(0, r.F1(3));
        Assert.Equal((1 + 1 + 0 + 0) / 4.0, r.MacroF1, 12);
    }

    [Fact]
    public void ReportAgreesWithTheCheapMetrics()
    {
        var data = new Dataset([0, 0, 1, 1, 2, 2, 0, 1], 1, [0, 0, 0, 1, 2, 2, 2, 2], 3);
        var net = new EchoNet(1, 3);
        var cheap = Evaluator.Evaluate(net, data);
        var report = Evaluator.EvaluateReport(net, data);
        Assert.Equal(cheap.Accuracy, report.Accuracy);
        Assert.Equal(cheap.MeanLoss, report.MeanLoss, 12);
    }
}
