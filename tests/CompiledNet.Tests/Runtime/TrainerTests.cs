using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>A stand-in network: one input (the example's index), records what each step received.</summary>
internal sealed class RecordingNet : ITrainable
{
    public RecordingNet(int batchSize, int outputs = 3) { BatchSize = batchSize; OutputSize = outputs; }

    public List<int> SeenIndices { get; } = new();
    public List<int> BatchSizes { get; } = new();
    public bool Record { get; set; } = true;
    public Func<int, float> LossOfBatch { get; set; } = count => 1f;

    public int InputSize => 1;
    public int OutputSize { get; }
    public int BatchSize { get; }
    public int ParameterCount => 0;
    public float LearningRate { get; set; } = 0.1f;
    public long Step { get; private set; }
    public Span<float> Parameters => Span<float>.Empty;
    public Span<float> Gradients => Span<float>.Empty;

    public float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels)
    {
        if (Record)
        {
            Assert.Equal(labels.Length, inputs.Length);
            BatchSizes.Add(labels.Length);
            foreach (var x in inputs) SeenIndices.Add((int)x);
        }
        Step++;
        return LossOfBatch(labels.Length);
    }

    // Classify returns the input mod 3; Loss returns the input value.
    public void Predict(ReadOnlySpan<float> x, Span<float> y) => throw new NotSupportedException();
    public int Classify(ReadOnlySpan<float> x) => (int)x[0] % 3;
    public float Loss(ReadOnlySpan<float> x, int label) => x[0];
    public float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> target) => throw new NotSupportedException();
    public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels) => throw new NotSupportedException();
    public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => throw new NotSupportedException();
    public void ApplyGradients() => throw new NotSupportedException();
    public float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => throw new NotSupportedException();
}

public class TrainerTests
{
    private static Dataset Indexed(int n, int classes = 3)
        => new(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), 1, Enumerable.Range(0, n).Select(i => i % classes).ToArray(), classes);

    [Fact]
    public void EveryExampleAppearsExactlyOncePerEpoch()
    {
        var net = new RecordingNet(4);
        Trainer.Train(net, Indexed(10), new TrainingOptions { Epochs = 3, Seed = 1 });
        for (int epoch = 0; epoch < 3; epoch++)
            Assert.Equal(Enumerable.Range(0, 10), net.SeenIndices.Skip(epoch * 10).Take(10).OrderBy(i => i));
    }

    [Fact]
    public void LastPartialBatchHasTheExactRemainder()
    {
        var net = new RecordingNet(4);
        Trainer.Train(net, Indexed(10), new TrainingOptions { Epochs = 2 });
        Assert.Equal(new[] { 4, 4, 2, 4, 4, 2 }, net.BatchSizes);
    }

    [Fact]
    public void OrderChangesBetweenEpochsButRepeatsForTheSameSeed()
    {
        var a = new RecordingNet(5);
        var b = new RecordingNet(5);
        Trainer.Train(a, Indexed(50), new TrainingOptions { Epochs = 2, Seed = 42 });
        Trainer.Train(b, Indexed(50), new TrainingOptions { Epochs = 2, Seed = 42 });
        Assert.Equal(a.SeenIndices, b.SeenIndices);
        Assert.NotEqual(a.SeenIndices.Take(50), a.SeenIndices.Skip(50));
        var c = new RecordingNet(5);
        Trainer.Train(c, Indexed(50), new TrainingOptions { Epochs = 1, Seed = 43 });
        Assert.NotEqual(a.SeenIndices.Take(50), c.SeenIndices);
    }

    [Fact]
    public void WithoutShuffleTheDataSetOrderIsKept()
    {
        var net = new RecordingNet(3);
        Trainer.Train(net, Indexed(7), new TrainingOptions { Epochs = 1, Shuffle = false });
        Assert.Equal(Enumerable.Range(0, 7), net.SeenIndices);
    }

    [Fact]
    public void EpochLossIsTheExampleWeightedMeanOfBatchLosses()
    {
        // Batches of 4, 4, 2 with losses 1, 1, 4: (4·1 + 4·1 + 2·4) / 10 = 1.6, not the batch mean 2.
        var net = new RecordingNet(4) { LossOfBatch = count => count == 2 ? 4f : 1f };
        var result = Trainer.Train(net, Indexed(10), new TrainingOptions { Epochs = 1 });
        Assert.Equal(1.6, result.Epochs[0].TrainLoss, 12);
        Assert.Equal(3, result.Epochs[0].Steps);
    }

    [Fact]
    public void ProgressIsReportedOncePerEpochWithOneBasedNumbersAndEvaluation()
    {
        var reports = new List<EpochReport>();
        var net = new RecordingNet(4);
        Trainer.Train(net, Indexed(10), new TrainingOptions { Epochs = 3, TestData = Indexed(6) }, new SynchronousProgress<EpochReport>(reports.Add));
        Assert.Equal(new[] { 1, 2, 3 }, reports.Select(r => r.Epoch));
        Assert.All(reports, r => Assert.Equal(3, r.Epochs));
        Assert.All(reports, r => Assert.Equal(1.0, r.TestAccuracy)); // the fake classifies i as i mod 3 = its label
        Assert.All(reports, r => Assert.Equal(2.5, r.TestLoss));     // mean of 0..5
        Assert.All(reports, r => Assert.Equal(0.1f, r.LearningRate));
    }

    [Fact]
    public void AnEpochAllocatesNothingOnceBuffersExist()
    {
        var net = new RecordingNet(8) { Record = false };
        var trainer = new EpochTrainer<RecordingNet>(net, Indexed(1000), seed: 3);
        trainer.RunEpoch();
        long before = GC.GetAllocatedBytesForCurrentThread();
        trainer.RunEpoch();
        trainer.RunEpoch();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void DataWithTheWrongFeatureSizeIsRejected()
    {
        var data = new Dataset(new float[6], 2, new int[3], 3);
        var ex = Assert.Throws<ArgumentException>(() => Trainer.Train(new RecordingNet(2), data, new TrainingOptions()));
        Assert.Contains("2 features per example, but the network takes 1 inputs", ex.Message);
    }

    [Fact]
    public void MoreClassesThanOutputsIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Trainer.Train(new RecordingNet(2, outputs: 2), Indexed(6, classes: 3), new TrainingOptions()));
        Assert.Contains("3 classes", ex.Message);
    }

    [Fact]
    public void EvaluatorGivesAccuracyAndMeanLoss()
    {
        // Labels i mod 2; the fake predicts i mod 3: right for i = 0, 1, 3 of 0..5? i=0:0/0 ✓, 1:1/1 ✓, 2:2/0 ✗, 3:0/1 ✗, 4:1/0 ✗, 5:2/1 ✗.
        var data = new Dataset(new float[] { 0, 1, 2, 3, 4, 5 }, 1, new[] { 0, 1, 0, 1, 0, 1 }, 2);
        var result = Evaluator.Evaluate(new RecordingNet(1), data);
        Assert.Equal(2.0 / 6, result.Accuracy, 12);
        Assert.Equal(2.5, result.MeanLoss, 12);
        Assert.Equal(6, result.Count);
    }
}
