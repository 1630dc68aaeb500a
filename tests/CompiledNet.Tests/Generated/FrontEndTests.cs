using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

public class FrontEndTests
{
    private static Dataset Random2D(int n, int seed)
    {
        var rng = new Random(seed);
        var features = new float[n * 2];
        for (int j = 0; j < features.Length; j++) features[j] = (float)(rng.NextDouble() * 2 - 1);
        return new Dataset(features, 2, Enumerable.Range(0, n).Select(_ => rng.Next(2)).ToArray(), 2);
    }

    [Fact]
    public void StratifiedSplitKeepsEachClassShareAndLosesNothing()
    {
        var labels = Enumerable.Range(0, 1000).Select(i => i < 900 ? 0 : 1).ToArray(); // 9:1
        var data = new Dataset(Enumerable.Range(0, 1000).Select(i => (float)i).ToArray(), 1, labels, 2);
        var (train, validation) = data.StratifiedSplit(0.2, seed: 4);
        Assert.Equal(180, validation.Labels.ToArray().Count(l => l == 0));
        Assert.Equal(20, validation.Labels.ToArray().Count(l => l == 1));
        Assert.Equal(800, train.Count);
        var all = train.AllFeatures.ToArray().Concat(validation.AllFeatures.ToArray()).OrderBy(v => v);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (float)i), all);
    }

    [Fact]
    public void EarlyStoppingStopsWhenValidationLossStopsImproving_AndRestoresTheBestEpoch()
    {
        // Random labels: the network can memorise the training set, so the validation loss soon rises.
        var train = Random2D(48, 1);
        var validation = Random2D(200, 2);
        var net = new SpiralNet(3) { LearningRate = 0.5f };
        var result = Trainer.Train(net, train, new TrainingOptions { Epochs = 300, ValidationData = validation, EarlyStoppingPatience = 5 });
        Assert.True(result.StoppedEarly);
        Assert.True(result.Epochs.Count < 300);
        var bestReport = result.Epochs.Single(e => e.Epoch == result.BestEpoch);
        Assert.Equal(result.Epochs.Min(e => e.ValidationLoss!.Value), bestReport.ValidationLoss!.Value);
        Assert.Equal(result.BestEpoch + 5, result.Epochs[^1].Epoch);
        // The restored network is the best epoch's: its validation loss is that epoch's.
        Assert.Equal(bestReport.ValidationLoss!.Value, Evaluator.Evaluate(net, validation).MeanLoss, 10);
    }

    [Fact]
    public void HistoryIsWrittenAsCsv()
    {
        var result = Trainer.Train(new SpiralNet(1), Random2D(40, 5), new TrainingOptions { Epochs = 3, ValidationData = Random2D(20, 6) });
        string path = Path.GetTempFileName();
        try
        {
            result.WriteCsv(path);
            var lines = File.ReadAllLines(path);
            Assert.Equal("epoch,train_loss,learning_rate,seconds,steps,validation_loss,validation_accuracy,test_loss,test_accuracy,rollbacks", lines[0]);
            Assert.Equal(4, lines.Length);
            var cells = lines[2].Split(',');
            Assert.Equal("2", cells[0]);
            Assert.Equal(result.Epochs[1].TrainLoss, double.Parse(cells[1], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("", cells[7]); // no test set given
        }
        finally { File.Delete(path); }
    }

    /// <summary>Serving: 8 threads × 10^6 predictions on 2 cores, every result bit-identical to the single-threaded one, no allocation.</summary>
    [Fact]
    public void ManyThreadsPredictBitIdenticallyWithoutAllocating()
    {
        var net = new SpiralNet(9);
        var inputs = new float[16 * 2];
        for (int j = 0; j < inputs.Length; j++) inputs[j] = MathF.Sin(j * 0.7f);
        var expected = new float[16 * 2];
        for (int i = 0; i < 16; i++) net.Predict(inputs.AsSpan(2 * i, 2), expected.AsSpan(2 * i, 2));

        const int threads = 8, calls = 1_000_000;
        var mismatches = new long[threads];
        var allocated = new long[threads];
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            // Warm up first so tiered compilation has finished with Predict before the measured loop.
            Calls(net, inputs, expected, t, 200_000);
            long before = GC.GetAllocatedBytesForCurrentThread();
            mismatches[t] = Calls(net, inputs, expected, t, calls);
            allocated[t] = GC.GetAllocatedBytesForCurrentThread() - before;
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.All(mismatches, m => Assert.Equal(0, m));
        Assert.All(allocated, a => Assert.Equal(0, a));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static long Calls(SpiralNet net, float[] inputs, float[] expected, int t, int calls)
    {
        Span<float> y = stackalloc float[2];
        long mismatches = 0;
        for (int c = 0; c < calls; c++)
        {
            int i = (c + t) & 15;
            net.Predict(inputs.AsSpan(2 * i, 2), y);
            if (BitConverter.SingleToInt32Bits(y[0]) != BitConverter.SingleToInt32Bits(expected[2 * i])
                || BitConverter.SingleToInt32Bits(y[1]) != BitConverter.SingleToInt32Bits(expected[2 * i + 1]))
                mismatches++;
        }
        return mismatches;
    }
}
