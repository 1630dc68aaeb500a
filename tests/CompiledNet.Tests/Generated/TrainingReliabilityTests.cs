using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>Training that goes wrong is caught, leaves the network usable, and resumes exactly.</summary>
public sealed class TrainingReliabilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-trainrel-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Dataset Classes(int n, int seed)
    {
        var rng = new Random(seed);
        var labels = Enumerable.Range(0, n).Select(i => i % 4).ToArray();
        var features = new float[n * 8];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < 8; j++) features[i * 8 + j] = (float)(rng.NextDouble() + (j % 4 == labels[i] ? 1 : 0));
        return new Dataset(features, 8, labels, 4);
    }

    private static Dataset Regression()
    {
        var rng = new Random(3);
        var features = new float[256 * 4];
        for (int j = 0; j < features.Length; j++) features[j] = (float)(rng.NextDouble() * 4 - 2);
        return new Dataset(features, 4, Enumerable.Range(0, 256).Select(i => i % 2).ToArray(), 2);
    }

    [Fact]
    public void WithoutTheExplosionCheckARunawayRunStaysFiniteAndRaisesNothing()
    {
        // The premise of the next test: NaN/∞ checks alone do not see this run fail.
        var net = new RunawayNet(1) { LearningRate = 1e4f };
        var result = Trainer.Train(net, Classes(256, 1), new TrainingOptions { Epochs = 3, LossExplosionFactor = null });
        Assert.All(result.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss)));
        Assert.True(result.Epochs.Max(e => e.TrainLoss) > 100 * result.Epochs[0].TrainLoss || net.Parameters.ToArray().Max(MathF.Abs) > 1e3f,
            $"losses {string.Join(", ", result.Epochs.Select(e => e.TrainLoss))}");
    }

    [Fact]
    public void AnExplodingLossStopsTrainingWithEpochStepAndValue()
    {
        var net = new RunawayNet(1) { LearningRate = 1e4f };
        var ex = Assert.Throws<TrainingDivergedException>(() => Trainer.Train(net, Classes(256, 1), new TrainingOptions { Epochs = 3 }));
        Assert.Contains("the loss exploded: the batch loss is ", ex.Where);
        Assert.Contains("more than 100 × its lowest", ex.Message);
        Assert.Contains($"epoch {ex.Epoch} at step {ex.Step}", ex.Message);
        Assert.True(ex.Step > 0);
    }

    [Fact]
    public void AnOrdinaryRunIsNotMistakenForAnExplosion()
    {
        var net = new RunawayNet(1);
        var result = Trainer.Train(net, Classes(256, 1), new TrainingOptions { Epochs = 20 });
        Assert.Equal(20, result.Epochs.Count);
        Assert.True(result.Epochs[^1].TrainLoss < result.Epochs[0].TrainLoss);
    }

    [Theory]
    [InlineData(DivergencePolicy.Stop, 50f)]
    [InlineData(DivergencePolicy.RollBack, 1e6f)]
    public void GivingUpLeavesTheNetworkAtTheStartOfTheEpochAndSaysSo(DivergencePolicy policy, float rate)
    {
        var options = new TrainingOptions { Epochs = 3, Divergence = policy, RollBackRateFactor = 0.9f, MaxRollBacks = 2, LossExplosionFactor = null };
        var net = new LsqSgd(1) { LearningRate = rate };
        var ex = Assert.Throws<TrainingDivergedException>(() => Trainer.Train(net, Regression(), options));
        Assert.True(ex.RestoredToEpochStart);
        Assert.Contains($"restored to its state at the start of epoch {ex.Epoch}", ex.Message);
        // The reference: the same network trained, without incident, for the epochs before the one that diverged.
        var reference = new LsqSgd(1) { LearningRate = rate };
        if (ex.Epoch > 1) Trainer.Train(reference, Regression(), options with { Epochs = ex.Epoch - 1 });
        Assert.Equal(reference.Parameters.ToArray(), net.Parameters.ToArray());
        Assert.Equal(reference.Step, net.Step);
        Assert.All(net.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
    }

    [Fact]
    public void ResumingAfterARollBackIsBitIdenticalToAnUninterruptedRun()
    {
        var data = Regression();
        var options = new TrainingOptions
        {
            Epochs = 5, Seed = 4, Divergence = DivergencePolicy.RollBack, RollBackRateFactor = 0.1f, MaxRollBacks = 5,
            Schedule = LearningRateSchedule.Exponential(0.8f),
        };
        var uninterrupted = new LsqSgd(1) { LearningRate = 50f };
        var full = Trainer.Train(uninterrupted, data, options);

        string path = Path.Combine(_dir, "run.ckpt");
        var first = Trainer.Train(new LsqSgd(1) { LearningRate = 50f }, data, options with { Epochs = 2, CheckpointPath = path });
        Assert.True(first.Epochs.Sum(e => e.RollBacks) >= 1, "the run must roll back before the checkpoint");
        var resumed = new LsqSgd(7); // the declared rate 0.1, another seed: everything must come from the checkpoint
        var rest = Trainer.Resume(resumed, data, options, path);

        Assert.Equal(full.Epochs.Skip(2).Select(e => (e.TrainLoss, e.LearningRate, e.RollBacks)), rest.Epochs.Select(e => (e.TrainLoss, e.LearningRate, e.RollBacks)));
        Assert.Equal(uninterrupted.Parameters.ToArray(), resumed.Parameters.ToArray());
        Assert.Equal(uninterrupted.LearningRate, resumed.LearningRate);
    }

    [Fact]
    public void ResumingARunWithEarlyStoppingRestoresTheSameBestEpoch()
    {
        var train = Classes(48, 1);
        var validation = Classes(200, 2);
        var options = new TrainingOptions { Epochs = 30, Seed = 2, ValidationData = validation, EarlyStoppingPatience = 3 };
        var uninterrupted = new RunawayNet(3) { LearningRate = 2f };
        var full = Trainer.Train(uninterrupted, train, options);

        string path = Path.Combine(_dir, "early.ckpt");
        int cut = full.BestEpoch + 1; // after the best epoch: the best state must come from the checkpoint
        Assert.True(cut < full.Epochs.Count, "the run must go on past the best epoch");
        Trainer.Train(new RunawayNet(3) { LearningRate = 2f }, train, options with { Epochs = cut, CheckpointPath = path });
        var resumed = new RunawayNet(9);
        var rest = Trainer.Resume(resumed, train, options, path);

        Assert.Equal(full.BestEpoch, rest.BestEpoch);
        Assert.Equal(full.StoppedEarly, rest.StoppedEarly);
        Assert.Equal(uninterrupted.Parameters.ToArray(), resumed.Parameters.ToArray());
    }

    [Fact]
    public void ADataSetWhoseArrayGainedANaNAfterItWasBuiltIsRefusedNamingTheExample()
    {
        var features = new float[10 * 8];
        var data = new Dataset(features, 8, Enumerable.Range(0, 10).Select(i => i % 4).ToArray(), 4);
        features[3 * 8 + 5] = float.NaN;
        var net = new RunawayNet(1);
        var before = net.Parameters.ToArray();
        var ex = Assert.Throws<ArgumentException>(() => Trainer.Train(net, data, new TrainingOptions { Epochs = 1 }));
        Assert.Contains("Example 3 of the data set has feature 5 = NaN", ex.Message);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void ADataSetRefusesAnInfiniteFeatureNamingExampleAndFeature()
    {
        var features = new float[4 * 3];
        features[7] = float.PositiveInfinity;
        var ex = Assert.Throws<ArgumentException>(() => new Dataset(features, 3, new int[4], 1));
        Assert.Contains("features[7] (example 2, feature 1) is", ex.Message);
    }

    [Fact]
    public void ALabelBeyondTheNetworksClassesIsNamedByExample()
    {
        var data = new Dataset(new float[3 * 8], 8, new[] { 0, 1, 6 }, 7);
        var ex = Assert.Throws<ArgumentException>(() => Trainer.Train(new RunawayNet(1), data, new TrainingOptions { Epochs = 1 }));
        Assert.Contains("Example 2 of the data set has label 6, but the network's labels lie in [0, 4)", ex.Message);
    }

    [Fact]
    public void APublishedServingCopyIsIndependentOfTheNetworkThatGoesOnTraining()
    {
        var data = Classes(64, 1);
        var net = new RunawayNet(1);
        var serving = new ServingCopy<RunawayNet>(() => new RunawayNet());
        Trainer.Train(net, data, new TrainingOptions { Epochs = 1 });
        var copy = serving.Publish(net);
        Assert.Same(copy, serving.Current);
        var x = data.Features(0).ToArray();
        var y = new float[4];
        copy.Predict(x, y);
        var expected = new float[4];
        net.Predict(x, expected);
        Assert.Equal(expected, y);

        Trainer.Train(net, data, new TrainingOptions { Epochs = 2 });
        var again = new float[4];
        copy.Predict(x, again);
        Assert.Equal(y, again);
        Assert.NotEqual(net.Parameters.ToArray(), copy.Parameters.ToArray());
    }

    [Fact]
    public async Task ServingFromAnotherThreadWhileTrainingNeverSeesAMixedState()
    {
        // Each published copy is written once, before it is published: every prediction made with it must equal
        // the first one made with it, however training proceeds meanwhile.
        var data = Classes(256, 1);
        var net = new RunawayNet(1);
        var serving = new ServingCopy<RunawayNet>(() => new RunawayNet());
        serving.Publish(net);
        var firstOutputs = new ConcurrentDictionary<RunawayNet, float[]>();
        var x = data.Features(5).ToArray();
        using var done = new CancellationTokenSource();
        long predictions = 0, mismatches = 0;
        using var reading = new ManualResetEventSlim();
        var reader = Task.Factory.StartNew(() =>
        {
            var y = new float[4];
            while (!done.IsCancellationRequested)
            {
                var current = serving.Current!;
                current.Predict(x, y);
                var first = firstOutputs.GetOrAdd(current, _ => (float[])y.Clone());
                if (!first.AsSpan().SequenceEqual(y)) Interlocked.Increment(ref mismatches);
                Interlocked.Increment(ref predictions);
                reading.Set();
            }
        }, TaskCreationOptions.LongRunning);
        // Training starts only once the reader runs: on a busy machine the pool could otherwise start it too late.
        Assert.True(reading.Wait(TimeSpan.FromSeconds(60)), "the reading thread did not start");
        Trainer.Train(net, data, new TrainingOptions { Epochs = 30 }, new SynchronousProgress<EpochReport>(_ => serving.Publish(net)));
        done.Cancel();
        await reader;
        Assert.Equal(0, mismatches);
        Assert.True(predictions > 0);
        Assert.Equal(31, serving.Publications);
    }

    [Fact]
    public void CopyStateRefusesAnotherNetwork()
    {
        var ex = Assert.Throws<ArgumentException>(() => Checkpoint.CopyState(new RunawayNet(1), new SpiralNet(1)));
        Assert.Contains(SpiralNet.Architecture, ex.Message);
    }
}
