using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace CompiledNet.Bench;

/// <summary>
/// Epochs of two trainings in turn, in one process. BenchmarkDotNet measures its cases minutes apart, and a virtual
/// machine's speed drifts by more than the differences of interest within minutes (20–40% on the machines of
/// bench/results.md), so comparisons that matter run epochs back to back: one warm-up epoch of each, then pairs
/// (first, then second), the medians of each side's epochs and of the pairs' ratios. <see cref="Measure"/>: B, which
/// does strictly less work than C, against C on the same threads; <see cref="MeasureThreads"/>: one network on one
/// thread against the same network on two.
/// </summary>
public static class PairedEpochs
{
    /// <summary>B's and C's epochs in turn on <paramref name="threads"/> threads; Ratio is B's time over C's.</summary>
    public static (double B, double C, double Ratio) Measure(int threads, int pairs)
        => Alternate(CompiledNetEpoch.Create("B", threads), CompiledNetEpoch.Create("C", threads), pairs);

    /// <summary><paramref name="network"/>'s epochs on one thread and on two in turn; Ratio is the one-thread time over the two-thread time (the two-thread speed-up).</summary>
    public static (double One, double Two, double Ratio) MeasureThreads(string network, int pairs)
        => Alternate(CompiledNetEpoch.Create(network, 1), CompiledNetEpoch.Create(network, 2), pairs);

    private static (double First, double Second, double Ratio) Alternate(Func<double> first, Func<double> second, int pairs)
    {
        first();
        second();
        var timesFirst = new List<double>();
        var timesSecond = new List<double>();
        var ratios = new List<double>();
        for (int pair = 0; pair < pairs; pair++)
        {
            var watch = Stopwatch.StartNew();
            first();
            double a = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            second();
            double b = watch.Elapsed.TotalMilliseconds;
            timesFirst.Add(a);
            timesSecond.Add(b);
            ratios.Add(a / b);
        }
        return (Median(timesFirst), Median(timesSecond), Median(ratios));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
