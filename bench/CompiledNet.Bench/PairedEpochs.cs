using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace CompiledNet.Bench;

/// <summary>
/// B against C with their epochs in turn, in one process. BenchmarkDotNet measures B's epochs and C's minutes apart,
/// and a virtual machine's speed drifts by more than their difference within minutes (20–40% on the machines of
/// bench/results.md), so the check that B, which does strictly less work than C, is not slower than C compares epochs
/// run back to back: one warm-up epoch of each, then pairs (B, then C), the median of the pairs' ratios.
/// </summary>
public static class PairedEpochs
{
    public static (double B, double C, double Ratio) Measure(int threads, int pairs)
    {
        var b = new NetB(1) { TrainingThreads = threads };
        var c = new NetC(1) { TrainingThreads = threads };
        var trainB = new EpochTrainer<NetB>(b, BenchData.Train, 1);
        var trainC = new EpochTrainer<NetC>(c, BenchData.Train, 1);
        trainB.RunEpoch();
        trainC.RunEpoch();
        var timesB = new List<double>();
        var timesC = new List<double>();
        var ratios = new List<double>();
        for (int pair = 0; pair < pairs; pair++)
        {
            var watch = Stopwatch.StartNew();
            trainB.RunEpoch();
            double epochB = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            trainC.RunEpoch();
            double epochC = watch.Elapsed.TotalMilliseconds;
            timesB.Add(epochB);
            timesC.Add(epochC);
            ratios.Add(epochB / epochC);
        }
        return (Median(timesB), Median(timesC), Median(ratios));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
