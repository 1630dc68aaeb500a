using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using CompiledNet.Tests.Networks;
using CompiledNet.Tests.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace CompiledNet.Tests.Generated;

/// <summary>The training meter and activity source: what a listener sees, and what listening costs.</summary>
[Collection(MetricsCollection.Name)]
public sealed class TelemetryTests(ITestOutputHelper output) : IDisposable
{
    private readonly List<(string Name, double Value, string? Network)> _measurements = new();
    private MeterListener? _listener;

    public void Dispose() => _listener?.Dispose();

    private void Listen()
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == TrainingTelemetry.Name) listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? network = null;
        foreach (var tag in tags) if (tag.Key == "compilednet.network") network = tag.Value as string;
        lock (_measurements) _measurements.Add((instrument.Name, value, network));
    }

    private List<double> Values(string name) => _measurements.Where(m => m.Name == name).Select(m => m.Value).ToList();

    [Fact]
    public void MeterReportsEachEpochsLossAndDurationAndEveryStep()
    {
        Listen();
        // 100 examples in batches of 16: 7 steps per epoch.
        var net = new SmoothFunctionNet(1) { TrainingThreads = 1 };
        var result = Trainer.Train(net, RegressionTrainingTests.SmoothFunction(100, 1), new TrainingOptions { Epochs = 2 });
        Assert.Equal(result.Epochs.Select(e => e.TrainLoss), Values("compilednet.training.epoch.loss"));
        Assert.Equal(result.Epochs.Select(e => e.Seconds), Values("compilednet.training.epoch.duration"));
        Assert.Equal(14, Values("compilednet.training.steps").Sum());
        var steps = Values("compilednet.training.step.duration");
        Assert.Equal(14, steps.Count);
        Assert.All(steps, s => Assert.InRange(s, 0, result.TotalSeconds));
        Assert.All(_measurements, m => Assert.Equal(nameof(SmoothFunctionNet), m.Network));
    }

    [Fact]
    public void RollBacksAreCounted()
    {
        Listen();
        int calls = 0;
        var net = new RecordingNet(4) { LossOfBatch = _ => ++calls == 2 ? float.NaN : 1f }; // the second step diverges, once
        var data = new Dataset(Enumerable.Range(0, 8).Select(i => (float)i).ToArray(), 1, new int[8], 3);
        var result = Trainer.Train(net, data, new TrainingOptions { Epochs = 2, Divergence = DivergencePolicy.RollBack });
        Assert.Equal(1, result.Epochs[0].RollBacks);
        Assert.Equal(new[] { 1.0 }, Values("compilednet.training.rollbacks"));
    }

    [Fact]
    public void HealthWarningsAreCounted()
    {
        Listen();
        var net = new HealthSigmoidNet(1);
        var d = ((ICompiledNetwork)net).Layers[0];
        var weights = net.Parameters.Slice(d.WeightOffset, d.Inputs * d.Width);
        for (int i = 0; i < weights.Length; i++) weights[i] = i % 2 == 0 ? 60f : -60f; // saturates every sigmoid
        var (x, labels) = RandomBatch.Of(16, 4, 2, 1);
        var result = Trainer.Train(net, new Dataset(x, 4, labels, 2), new TrainingOptions { Epochs = 1, Health = new HealthOptions { Every = 1 } });
        int warnings = result.Epochs[0].Health!.Warnings.Count;
        Assert.True(warnings > 0);
        Assert.Equal(warnings, Values("compilednet.training.health.warnings").Sum());
    }

    [Fact]
    public void EachEpochIsOneActivityTaggedWithEpochLossAndAccuracy()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TrainingTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var (x, labels) = RandomBatch.Of(40, 2, 2, 3);
        var data = new Dataset(x, 2, labels, 2);
        var result = Trainer.Train(new TwoBlobNet(1), data, new TrainingOptions { Epochs = 3, TestData = data });
        Assert.Equal(3, stopped.Count);
        for (int e = 0; e < 3; e++)
        {
            Assert.Equal(TrainingTelemetry.EpochActivityName, stopped[e].OperationName);
            Assert.Equal(e + 1, stopped[e].GetTagItem("compilednet.training.epoch"));
            Assert.Equal(result.Epochs[e].TrainLoss, stopped[e].GetTagItem("compilednet.training.loss"));
            Assert.Equal(result.Epochs[e].TestAccuracy, stopped[e].GetTagItem("compilednet.training.accuracy"));
        }
    }

    [Fact]
    public void ADivergedEpochsActivityEndsWithErrorStatus()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TrainingTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var net = new RecordingNet(4) { LossOfBatch = _ => float.NaN };
        var data = new Dataset(Enumerable.Range(0, 8).Select(i => (float)i).ToArray(), 1, new int[8], 3);
        Assert.Throws<TrainingDivergedException>(() => Trainer.Train(net, data, new TrainingOptions { Epochs = 1 }));
        var activity = Assert.Single(stopped);
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
    }

    [Fact]
    public void AnEpochAllocatesNothingWithoutListenersAndWithAMeterListener()
    {
        // 2000 examples in batches of 16: 125 steps per epoch.
        var net = new SmoothFunctionNet(1) { TrainingThreads = 1 };
        var trainer = new EpochTrainer<SmoothFunctionNet>(net, RegressionTrainingTests.SmoothFunction(2000, 5), 1);
        // Listeners choose sources by name, so a source of the same name has exactly the training source's listeners.
        using (var sameName = new ActivitySource(TrainingTelemetry.Name)) Assert.False(sameName.HasListeners());
        long quiet = Allocations.Of(() => trainer.RunEpoch());
        double quietSeconds = Seconds(() => trainer.RunEpoch());
        Listen();
        long listened = Allocations.Of(() => trainer.RunEpoch());
        double listenedSeconds = Seconds(() => trainer.RunEpoch());
        Assert.Equal(0, quiet);
        Assert.Equal(0, listened);
        Assert.True(Values("compilednet.training.step.duration").Count >= 125);
        output.WriteLine($"epoch of 125 steps, best of 5: {quietSeconds * 1e3:F3} ms without a listener, {listenedSeconds * 1e3:F3} ms with a MeterListener");
    }

    private static double Seconds(Action action)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return best;
    }
}
