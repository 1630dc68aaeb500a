using System;
using System.Linq;
using CompiledNet;

namespace CompiledNet.Samples;

/// <summary>The training-curve plot that more than one sample draws (ScottPlot).</summary>
internal static class SamplePlot
{
    /// <summary>
    /// Saves a PNG of 900 × 560 pixels with the training loss, the test loss and the test accuracy of every epoch of
    /// <paramref name="result"/> on one axis (losses and accuracy share the range 0 to about 1 on these data sets).
    /// </summary>
    public static void EpochCurves(TrainingResult result, string title, string path)
    {
        var plot = new ScottPlot.Plot();
        double[] epochAxis = result.Epochs.Select(r => (double)r.Epoch).ToArray();
        var trainLoss = plot.Add.Scatter(epochAxis, result.Epochs.Select(r => r.TrainLoss).ToArray());
        trainLoss.LegendText = "training loss";
        var testLoss = plot.Add.Scatter(epochAxis, result.Epochs.Select(r => r.TestLoss ?? double.NaN).ToArray());
        testLoss.LegendText = "test loss";
        var accuracy = plot.Add.Scatter(epochAxis, result.Epochs.Select(r => r.TestAccuracy ?? double.NaN).ToArray());
        accuracy.LegendText = "test accuracy";
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("loss / accuracy");
        plot.ShowLegend();
        plot.Legend.Alignment = ScottPlot.Alignment.MiddleRight; // between the accuracy (top) and the losses (bottom)
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(Math.Max(1, result.Epochs.Count / 15));
        plot.SavePng(path, 900, 560);
    }
}
