using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Runtime;

public class BatchingTests
{
    /// <summary>One feature per example (its index); labels from the given class sizes, interleaved so no class sits in one block.</summary>
    internal static Dataset WithClassSizes(params int[] sizes)
    {
        var labels = new List<int>();
        var left = (int[])sizes.Clone();
        while (left.Any(n => n > 0))
            for (int c = 0; c < left.Length; c++)
                if (left[c] > 0) { labels.Add(c); left[c]--; }
        return new Dataset(Enumerable.Range(0, labels.Count).Select(i => (float)i).ToArray(), 1, labels.ToArray(), sizes.Length);
    }

    private static int[] Epoch(BatchSampler sampler, int epoch, Rng rng, INetwork? net = null)
    {
        var order = new int[sampler.MaxEpochLength];
        int n = sampler.NextEpoch(epoch, order, rng, net!);
        return order[..n];
    }

    private static IEnumerable<int[]> Batches(int[] order, int batchSize)
    {
        for (int start = 0; start < order.Length; start += batchSize) yield return order[start..Math.Min(order.Length, start + batchSize)];
    }

    // ---- shuffle ----

    [Fact]
    public void ShuffleGivesAFreshPermutationEveryEpoch()
    {
        var sampler = BatchingStrategy.Shuffle.CreateSampler(WithClassSizes(40, 60), 8);
        var rng = new Rng(7);
        var epochs = Enumerable.Range(0, 5).Select(e => Epoch(sampler, e, rng)).ToList();
        foreach (var order in epochs) Assert.Equal(Enumerable.Range(0, 100), order.OrderBy(i => i));
        for (int a = 0; a < epochs.Count; a++)
            for (int b = a + 1; b < epochs.Count; b++)
                Assert.NotEqual(epochs[a], epochs[b]);
    }

    [Fact]
    public void ShuffleRepeatsForTheSameSeedAndDiffersForAnother()
    {
        int[][] Run(long seed)
        {
            var sampler = BatchingStrategy.Shuffle.CreateSampler(WithClassSizes(30, 20), 4);
            var rng = new Rng(seed);
            return Enumerable.Range(0, 3).Select(e => Epoch(sampler, e, rng)).ToArray();
        }
        Assert.Equal(Run(11), Run(11));
        Assert.NotEqual(Run(11)[0], Run(12)[0]);
    }

    [Fact]
    public void ShuffleStrategyIsTheDefaultTrainingOrder()
    {
        var a = new RecordingNet(4);
        var b = new RecordingNet(4);
        var data = WithClassSizes(10, 10, 10);
        Trainer.Train(a, data, new TrainingOptions { Epochs = 3, Seed = 5 });
        Trainer.Train(b, data, new TrainingOptions { Epochs = 3, Seed = 5, Batching = BatchingStrategy.Shuffle });
        Assert.Equal(a.SeenIndices, b.SeenIndices);
    }

    // ---- class-balanced ----

    /// <summary>The rule: with B ≥ k every class occurs ⌊B/k⌋ or ⌈B/k⌉ times; with B &lt; k, B different classes once each.</summary>
    private static void AssertBalanced(Dataset data, int[] order, int batchSize)
    {
        var present = Enumerable.Range(0, data.ClassCount).Where(c => data.Labels.ToArray().Contains(c)).ToArray();
        int k = present.Length;
        foreach (var batch in Batches(order, batchSize))
        {
            var counts = present.Select(c => batch.Count(i => data.Label(i) == c)).ToArray();
            Assert.Equal(batch.Length, counts.Sum());
            Assert.True(counts.Max() - counts.Min() <= 1, $"batch of {batch.Length}: class counts {string.Join(",", counts)}");
            Assert.True(counts.Min() == batch.Length / k, $"batch of {batch.Length}: class counts {string.Join(",", counts)}");
        }
    }

    [Theory]
    [InlineData(ClassBalancePolicy.Oversample)]
    [InlineData(ClassBalancePolicy.Undersample)]
    [InlineData(ClassBalancePolicy.EqualShare)]
    public void OnBalancedDataEveryBatchIsBalancedAndEveryExampleAppearsOnce(ClassBalancePolicy policy)
    {
        var data = WithClassSizes(25, 25, 25, 25);
        var sampler = BatchingStrategy.ClassBalanced(policy).CreateSampler(data, 10);
        var rng = new Rng(3);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var order = Epoch(sampler, epoch, rng);
            Assert.Equal(Enumerable.Range(0, 100), order.OrderBy(i => i));
            AssertBalanced(data, order, 10);
        }
    }

    [Fact]
    public void NineToOneOversampleRepeatsTheMinorityAndKeepsEveryMajorityExampleOnce()
    {
        var data = WithClassSizes(90, 10);
        var sampler = BatchingStrategy.ClassBalanced(ClassBalancePolicy.Oversample).CreateSampler(data, 8);
        var rng = new Rng(1);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var order = Epoch(sampler, epoch, rng);
            Assert.Equal(180, order.Length);
            AssertBalanced(data, order, 8);
            var majority = order.Where(i => data.Label(i) == 0).OrderBy(i => i);
            Assert.Equal(Enumerable.Range(0, 100).Where(i => data.Label(i) == 0), majority);
            foreach (var group in order.Where(i => data.Label(i) == 1).GroupBy(i => i)) Assert.Equal(9, group.Count());
            Assert.Equal(10, order.Where(i => data.Label(i) == 1).Distinct().Count());
        }
    }

    [Fact]
    public void NineToOneUndersampleDrawsAFreshMajoritySubsetEachEpoch()
    {
        var data = WithClassSizes(90, 10);
        var sampler = BatchingStrategy.ClassBalanced(ClassBalancePolicy.Undersample).CreateSampler(data, 8);
        var rng = new Rng(2);
        var seenMajority = new HashSet<int>();
        var subsets = new List<int[]>();
        for (int epoch = 0; epoch < 100; epoch++)
        {
            var order = Epoch(sampler, epoch, rng);
            Assert.Equal(20, order.Length);
            AssertBalanced(data, order, 8);
            var majority = order.Where(i => data.Label(i) == 0).ToArray();
            Assert.Equal(10, majority.Distinct().Count());                    // without replacement within an epoch
            Assert.Equal(Enumerable.Range(0, 100).Where(i => data.Label(i) == 1), order.Where(i => data.Label(i) == 1).OrderBy(i => i));
            seenMajority.UnionWith(majority);
            subsets.Add(majority.OrderBy(i => i).ToArray());
        }
        Assert.NotEqual(subsets[0], subsets[1]);
        Assert.Equal(90, seenMajority.Count);                                  // over epochs every majority example takes part
    }

    [Fact]
    public void NineToOneEqualShareKeepsTheEpochSizeWithHalfTheSlotsEach()
    {
        var data = WithClassSizes(90, 10);
        var sampler = BatchingStrategy.ClassBalanced(ClassBalancePolicy.EqualShare).CreateSampler(data, 8);
        var order = Epoch(sampler, 0, new Rng(4));
        Assert.Equal(100, order.Length);
        AssertBalanced(data, order, 8);
        var majority = order.Where(i => data.Label(i) == 0).ToArray();
        Assert.Equal(50, majority.Length);
        Assert.Equal(50, majority.Distinct().Count());
        foreach (var group in order.Where(i => data.Label(i) == 1).GroupBy(i => i)) Assert.Equal(5, group.Count());
    }

    [Theory]
    [InlineData(ClassBalancePolicy.Oversample, 6)]
    [InlineData(ClassBalancePolicy.Undersample, 6)]
    [InlineData(ClassBalancePolicy.EqualShare, 6)]
    [InlineData(ClassBalancePolicy.Oversample, 7)]
    [InlineData(ClassBalancePolicy.EqualShare, 13)]
    [InlineData(ClassBalancePolicy.Oversample, 3)]    // smaller than the 4 classes
    public void UnequalClassesAndBatchesThatAreNotAMultipleOfTheClassesStayBalanced(ClassBalancePolicy policy, int batchSize)
    {
        var data = WithClassSizes(50, 30, 7, 3);
        var sampler = BatchingStrategy.ClassBalanced(policy).CreateSampler(data, batchSize);
        var rng = new Rng(9);
        for (int epoch = 0; epoch < 5; epoch++)
        {
            var order = Epoch(sampler, epoch, rng);
            AssertBalanced(data, order, batchSize);
            var perClass = Enumerable.Range(0, 4).Select(c => order.Count(i => data.Label(i) == c)).ToArray();
            if (policy == ClassBalancePolicy.Oversample) Assert.All(perClass, n => Assert.Equal(50, n));
            if (policy == ClassBalancePolicy.Undersample) Assert.All(perClass, n => Assert.Equal(3, n));
            if (policy == ClassBalancePolicy.EqualShare) Assert.True(perClass.Max() - perClass.Min() <= 1, string.Join(",", perClass));
        }
    }

    [Fact]
    public void ClassesWithoutExamplesAreLeftOut()
    {
        var labels = new[] { 0, 0, 0, 3, 3, 3, 0, 3 };
        var data = new Dataset(Enumerable.Range(0, 8).Select(i => (float)i).ToArray(), 1, labels, 4);
        var order = Epoch(BatchingStrategy.ClassBalanced().CreateSampler(data, 4), 0, new Rng(1));
        Assert.Equal(8, order.Length);
        foreach (var batch in Batches(order, 4)) Assert.Equal(2, batch.Count(i => labels[i] == 0));
    }

    [Fact]
    public void BalancedBatchesRepeatForTheSameSeedThroughTheTrainer()
    {
        var a = new RecordingNet(5);
        var b = new RecordingNet(5);
        var options = new TrainingOptions { Epochs = 2, Seed = 8, Batching = BatchingStrategy.ClassBalanced(ClassBalancePolicy.EqualShare) };
        Trainer.Train(a, WithClassSizes(40, 5, 5), options);
        Trainer.Train(b, WithClassSizes(40, 5, 5), options);
        Assert.Equal(a.SeenIndices, b.SeenIndices);
        Assert.Equal(new[] { 5, 5, 5, 5, 5, 5, 5, 5, 5, 5 }, a.BatchSizes.Take(10));
    }

    // ---- curriculum ----

    [Fact]
    public void CurriculumFollowsThePacingStagesWithAGivenDifficulty()
    {
        // 40 examples; difficulty = a scrambled rank, so the easiest are not simply the first indices.
        var difficulty = Enumerable.Range(0, 40).Select(i => (float)((i * 17) % 40)).ToArray();
        var data = new Dataset(new float[40], 1, new int[40], 1);
        var strategy = new CurriculumBatches(difficulty, stages: 4, epochsPerStage: 2);
        var sampler = strategy.CreateSampler(data, 5);
        var rng = new Rng(6);
        int StageOf(int i) => (int)difficulty[i] / 10;   // ranks 0–9 are stage 0, …
        var previous = new Dictionary<int, int[]>();
        for (int epoch = 0; epoch < 10; epoch++)
        {
            var order = Epoch(sampler, epoch, rng);
            int stages = Math.Min(4, epoch / 2 + 1);
            Assert.Equal(stages, strategy.StagesInPlay(epoch));
            Assert.Equal(10 * stages, order.Length);
            Assert.Equal(Enumerable.Range(0, 40).Where(i => StageOf(i) < stages).OrderBy(i => i), order.OrderBy(i => i));
            var stageSequence = order.Select(StageOf).ToArray();
            for (int j = 1; j < stageSequence.Length; j++) Assert.True(stageSequence[j] >= stageSequence[j - 1], $"epoch {epoch}: stage order {string.Join(",", stageSequence)}");
            if (previous.TryGetValue(stages, out var before)) Assert.NotEqual(before, order);   // shuffled inside stages, afresh each epoch
            previous[stages] = order;
        }
    }

    [Fact]
    public void CurriculumThroughTheTrainerGrowsTheEpochs()
    {
        var net = new RecordingNet(4);
        var difficulty = Enumerable.Range(0, 20).Select(i => (float)(19 - i)).ToArray();   // later indices are easier
        var result = Trainer.Train(net, WithClassSizes(10, 10), new TrainingOptions { Epochs = 3, Batching = BatchingStrategy.Curriculum(difficulty, stages: 2) });
        Assert.Equal(new long[] { 3, 5, 5 }, result.Epochs.Select(r => r.Steps));
        Assert.Equal(Enumerable.Range(10, 10), net.SeenIndices.Take(10).OrderBy(i => i));
    }

    [Fact]
    public void CurriculumRejectsAScoreOfTheWrongLengthOrNaN()
    {
        var ex = Assert.Throws<ArgumentException>(() => BatchingStrategy.Curriculum(new float[3]).CreateSampler(WithClassSizes(2, 2), 2));
        Assert.Contains("3 values, but the data set has 4 examples", ex.Message);
        var nan = Assert.Throws<ArgumentException>(() => BatchingStrategy.Curriculum(new[] { 0f, float.NaN }));
        Assert.Contains("difficulty[1] is NaN", nan.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchingStrategy.Curriculum(new float[2], stages: 0));
    }

    [Fact]
    public void LossBasedCurriculumPutsTheExamplesTheNetworkGetsWrongLast()
    {
        // Two blobs with every tenth label flipped: after training the network gets (at least) those wrong.
        var random = new Random(3);
        int n = 200;
        var features = new float[2 * n];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 2;
            features[2 * i] = (c == 0 ? -1.5f : 1.5f) + (float)(random.NextDouble() - 0.5);
            features[2 * i + 1] = (float)(random.NextDouble() - 0.5);
            labels[i] = i % 10 == 0 ? 1 - c : c;
        }
        var data = new Dataset(features, 2, labels, 2);
        var net = new TwoBlobNet(1);
        Trainer.Train(net, data, new TrainingOptions { Epochs = 10, Seed = 1 });
        var wrong = Enumerable.Range(0, n).Where(i => net.Classify(data.Features(i)) != labels[i]).ToHashSet();
        Assert.InRange(wrong.Count, 15, 60);

        // One stage per example: the order is the full ranking by loss.
        var sampler = BatchingStrategy.CurriculumByLoss(stages: n).CreateSampler(data, 8);
        var order = Epoch(sampler, epoch: n, new Rng(1), net);
        Assert.Equal(n, order.Length);
        int firstWrong = Array.FindIndex(order, wrong.Contains);
        Assert.Equal(n - wrong.Count, firstWrong);
        Assert.All(order[firstWrong..], i => Assert.Contains(i, wrong));

        // Two stages, first epoch: only the easier half is in play, and none of the wrong ones is in it.
        var early = Epoch(BatchingStrategy.CurriculumByLoss(stages: 2).CreateSampler(data, 8), 0, new Rng(1), net);
        Assert.Equal(n / 2, early.Length);
        Assert.DoesNotContain(early, wrong.Contains);
    }

    [Fact]
    public void LossBasedCurriculumMeasuresTheNetworkBeforeEveryEpoch()
    {
        // The stand-in network's loss is the example's feature; change the features' meaning by swapping networks.
        var data = WithClassSizes(3, 3);
        var sampler = BatchingStrategy.CurriculumByLoss(stages: 6).CreateSampler(data, 2);
        Assert.Equal(Enumerable.Range(0, 6), Epoch(sampler, 10, new Rng(1), new RecordingNet(2)));
        Assert.Equal(Enumerable.Range(0, 6).Reverse(), Epoch(sampler, 10, new Rng(1), new NegatedLossNet()));
    }

    private sealed class NegatedLossNet : INetwork
    {
        public int InputSize => 1;
        public int OutputSize => 3;
        public void Predict(ReadOnlySpan<float> x, Span<float> y) => throw new NotSupportedException();
        public int Classify(ReadOnlySpan<float> x) => 0;
        public float Loss(ReadOnlySpan<float> x, int label) => -x[0];
        public float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> target) => throw new NotSupportedException();
    }

    // ---- reproducibility, resume, allocation ----

    internal static Dataset Images(int count, int height, int width, int classes, int seed)
    {
        var random = new Random(seed);
        var features = new float[count * height * width];
        for (int i = 0; i < features.Length; i++) features[i] = (float)random.NextDouble();
        var labels = Enumerable.Range(0, count).Select(i => i % 7 == 0 ? 2 : i % 2).ToArray();   // unbalanced
        return new Dataset(features, height * width, labels, classes).WithImageSize(height, width);
    }

    [Theory]
    [InlineData("balanced")]
    [InlineData("curriculum")]
    public void ResumingWithBalancedOrCurriculumBatchesAndAugmentationIsBitIdentical(string kind)
    {
        var data = Images(60, 4, 5, 3, seed: 2);
        var batching = kind == "balanced" ? BatchingStrategy.ClassBalanced(ClassBalancePolicy.EqualShare) : BatchingStrategy.CurriculumByLoss(stages: 3);
        var options = new TrainingOptions
        {
            Epochs = 5, Seed = 4, Batching = batching,
            Augmentation = new ImageAugmentation { MaxShift = 1, MaxRotationDegrees = 20, RotationProbability = 0.5f },
        };
        var uninterrupted = new SmallImageNet(3);
        var full = Trainer.Train(uninterrupted, data, options);

        string dir = Directory.CreateTempSubdirectory("cnet-batching-").FullName;
        try
        {
            string path = Path.Combine(dir, "run.ckpt");
            Trainer.Train(new SmallImageNet(3), data, options with { Epochs = 2, CheckpointPath = path });
            var resumed = new SmallImageNet(99);
            var rest = Trainer.Resume(resumed, data, options, path);
            Assert.Equal(full.Epochs.Skip(2).Select(r => r.TrainLoss), rest.Epochs.Select(r => r.TrainLoss));
            Assert.Equal(uninterrupted.Parameters.ToArray(), resumed.Parameters.ToArray());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AugmentationDoesNotChangeTheBatchesOrTheDataSet()
    {
        var data = Images(30, 4, 5, 3, seed: 1);
        var copy = data.AllFeatures.ToArray();
        var plain = new ImageRecorder();
        var augmented = new ImageRecorder();
        Trainer.Train(plain, data, new TrainingOptions { Epochs = 2, Seed = 3 });
        Trainer.Train(augmented, data, new TrainingOptions { Epochs = 2, Seed = 3, Augmentation = new ImageAugmentation { MaxShift = 1 } });
        Assert.Equal(plain.Labels, augmented.Labels);
        Assert.NotEqual(plain.Pixels, augmented.Pixels);
        Assert.Equal(copy, data.AllFeatures.ToArray());
    }

    [Fact]
    public void AugmentationNeedsTheImageSize()
    {
        var data = new Dataset(new float[40], 20, new int[2], 3);
        var ex = Assert.Throws<ArgumentException>(() => Trainer.Train(new ImageRecorder(), data, new TrainingOptions { Augmentation = new ImageAugmentation() }));
        Assert.Contains("WithImageSize", ex.Message);
    }

    [Theory]
    [InlineData("shuffle")]
    [InlineData("oversample")]
    [InlineData("undersample")]
    [InlineData("equal")]
    [InlineData("curriculum")]
    [InlineData("curriculum-loss")]
    public void SteadyStateBatchAssemblyWithAugmentationAllocatesNothing(string kind)
    {
        var data = Images(500, 28, 28, 3, seed: 5);
        BatchingStrategy batching = kind switch
        {
            "shuffle" => BatchingStrategy.Shuffle,
            "oversample" => BatchingStrategy.ClassBalanced(ClassBalancePolicy.Oversample),
            "undersample" => BatchingStrategy.ClassBalanced(ClassBalancePolicy.Undersample),
            "equal" => BatchingStrategy.ClassBalanced(ClassBalancePolicy.EqualShare),
            "curriculum" => BatchingStrategy.Curriculum(Enumerable.Range(0, 500).Select(i => (float)(i % 13)).ToArray(), stages: 2),
            _ => BatchingStrategy.CurriculumByLoss(stages: 2),
        };
        var net = new ImageRecorder(784) { Record = false };
        var trainer = new EpochTrainer<ImageRecorder>(net, data, 1, batching, new ImageAugmentation { MaxShift = 2, MaxRotationDegrees = 15, RotationProbability = 0.7f });
        // Measured with GC.GetAllocatedBytesForCurrentThread after warm-up epochs (the JIT may allocate once while it
        // recompiles a hot method; see Allocations).
        Assert.Equal(0, Generated.Allocations.Of(() => trainer.RunEpoch()));
    }

    [Fact]
    public void SteadyStateTrainingOfAGeneratedNetworkWithBalancedAugmentedBatchesAllocatesNothing()
    {
        var data = Images(120, 4, 5, 3, seed: 6);
        var trainer = new EpochTrainer<SmallImageNet>(new SmallImageNet(1), data, 2, BatchingStrategy.ClassBalanced(), new ImageAugmentation());
        Assert.Equal(0, Generated.Allocations.Of(() => trainer.RunEpoch()));
    }

    /// <summary>A stand-in network for 4 × 5 (or any) images that records each batch's pixels and labels.</summary>
    internal sealed class ImageRecorder : ITrainable
    {
        public List<float> Pixels { get; } = new();
        public List<int> Labels { get; } = new();
        public bool Record { get; set; } = true;
        public int InputSize => _size;
        private readonly int _size;
        public ImageRecorder(int size = 20) => _size = size;
        public ImageRecorder() : this(20) { }
        public int OutputSize => 3;
        public int BatchSize => 8;
        public int ParameterCount => 0;
        public float LearningRate { get; set; }
        public long Step { get; private set; }
        public Span<float> Parameters => Span<float>.Empty;
        public Span<float> Gradients => Span<float>.Empty;

        public float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels)
        {
            if (Record)
            {
                foreach (var x in inputs) Pixels.Add(x);
                foreach (var y in labels) Labels.Add(y);
            }
            Step++;
            return 1f;
        }

        public void Predict(ReadOnlySpan<float> x, Span<float> y) => throw new NotSupportedException();
        public int Classify(ReadOnlySpan<float> x) => 0;
        public float Loss(ReadOnlySpan<float> x, int label) => x[0] + x[^1];
        public float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> target) => throw new NotSupportedException();
        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels) => throw new NotSupportedException();
        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => throw new NotSupportedException();
        public void ApplyGradients() => throw new NotSupportedException();
        public float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => throw new NotSupportedException();
    }
}
