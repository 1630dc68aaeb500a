using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading;
using CompiledNet;

namespace CompiledNet.Bench;

/// <summary>
/// What the training telemetry costs (<c>--telemetry-cost</c>): network A trained by <see cref="Trainer"/> on one
/// thread, in runs of <see cref="EpochsPerRun"/> epochs that alternate between nobody listening and a
/// <see cref="MeterListener"/> plus an <see cref="ActivityListener"/> subscribed to "CompiledNet.Training" by name,
/// as a user's collector would be. Each epoch is timed from one epoch report to the next (the whole loop: the
/// activity, the step loop with its clock reads and records, the report) and its allocations are
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> over the same span; the first epoch of every run (setup, and
/// the first listener callbacks) is left out.
/// </summary>
public static class TelemetryCost
{
    public const int EpochsPerRun = 4, RunsPerMode = 3;

    public static void Run(Dataset train)
    {
        var times = new[] { new List<double>(), new List<double>() };
        var bytes = new[] { new List<long>(), new List<long>() };
        long measurements = 0, activities = 0, steps = 0;
        for (int run = 0; run < RunsPerMode; run++)
            for (int mode = 0; mode < 2; mode++)
            {
                using var meterListener = mode == 1 ? Meters(() => Interlocked.Increment(ref measurements)) : null;
                using var activityListener = mode == 1 ? Activities(() => Interlocked.Increment(ref activities)) : null;
                var net = new NetA(1) { TrainingThreads = 1 };
                long last = 0, lastBytes = 0;
                var progress = new SynchronousProgress<EpochReport>(report =>
                {
                    long now = Stopwatch.GetTimestamp(), nowBytes = GC.GetAllocatedBytesForCurrentThread();
                    if (report.Epoch > 1)
                    {
                        times[mode].Add(Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
                        bytes[mode].Add(nowBytes - lastBytes);
                    }
                    if (mode == 1) steps += report.Steps;
                    // Read after the measurement: this callback's own work is not charged to the next epoch.
                    last = Stopwatch.GetTimestamp();
                    lastBytes = GC.GetAllocatedBytesForCurrentThread();
                });
                Trainer.Train(net, train, new TrainingOptions { Epochs = EpochsPerRun, Seed = 1 }, progress);
            }

        if (measurements < steps || activities != RunsPerMode * EpochsPerRun)
            throw new InvalidOperationException($"The listeners saw {measurements} measurements and {activities} activities for {steps} steps and {RunsPerMode * EpochsPerRun} epochs: they were not listening.");
        double quiet = Median(times[0]), listened = Median(times[1]);
        Console.WriteLine($"CPU: {Peak.CpuModel()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"A, 1 thread, {train.Count} examples per epoch, {RunsPerMode} runs of {EpochsPerRun} epochs per mode, alternating; the first epoch of each run left out ({times[0].Count} epochs per mode)."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"no listener:                      median {quiet:F1} ms per epoch (min {Min(times[0]):F1}, max {Max(times[0]):F1}); allocated per epoch {Range(bytes[0])} bytes"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MeterListener + ActivityListener: median {listened:F1} ms per epoch (min {Min(times[1]):F1}, max {Max(times[1]):F1}); allocated per epoch {Range(bytes[1])} bytes"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"difference of the medians: {listened - quiet:+0.0;-0.0} ms per epoch ({100 * (listened - quiet) / quiet:+0.0;-0.0}%); the listeners received {measurements} measurements and {activities} activities"));
    }

    /// <summary>A meter listener that subscribes to every instrument of "CompiledNet.Training" and counts what it receives.</summary>
    private static MeterListener Meters(Action received)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == TrainingTelemetry.Name) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => received());
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => received());
        listener.Start();
        return listener;
    }

    /// <summary>An activity listener that records every activity of "CompiledNet.Training" and counts those that stop.</summary>
    private static ActivityListener Activities(Action stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TrainingTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => stopped(),
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static double Median(List<double> values)
    {
        var sorted = new List<double>(values);
        sorted.Sort();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double Min(List<double> values) => values.Count == 0 ? double.NaN : System.Linq.Enumerable.Min(values);

    private static double Max(List<double> values) => values.Count == 0 ? double.NaN : System.Linq.Enumerable.Max(values);

    private static string Range(List<long> values)
    {
        long min = long.MaxValue, max = long.MinValue;
        foreach (long v in values) { min = Math.Min(min, v); max = Math.Max(max, v); }
        return min == max ? min.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{min}–{max}");
    }
}
