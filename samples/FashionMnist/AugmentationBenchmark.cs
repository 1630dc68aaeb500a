using System;
using System.Diagnostics;
using System.Globalization;
using CompiledNet;

/// <summary>
/// `--measure-augmentation`: how fast one thread augments images and assembles augmented batches, to compare with
/// the training throughput. Every image is both shifted and rotated (probability 1: the bilinear path every time).
/// </summary>
internal static class AugmentationBenchmark
{
    public static int Run(Dataset train, int maxShift, float maxRotation)
    {
        var options = new ImageAugmentation { MaxShift = maxShift, MaxRotationDegrees = maxRotation };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Augmentation of {train.Count} images of {train.ImageHeight}×{train.ImageWidth}: shifts up to {maxShift} px and rotations up to {maxRotation}°, both on every image, one thread, {(System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "AVX2" : "scalar")}"));

        // 1. The augmenter alone: one image after another into one buffer.
        var augmenter = options.CreateAugmenter(train);
        var rng = new Rng(1);
        var target = new float[train.FeatureSize];
        void Pass() { for (int i = 0; i < train.Count; i++) augmenter.Apply(train.Features(i), target, rng); }
        Pass();
        double best = double.MaxValue;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            long start = Stopwatch.GetTimestamp();
            Pass();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"augment only:                   {train.Count / best,12:N0} images/s ({best * 1e6 / train.Count:F2} µs per image, best of 5 passes)"));

        // 2. Whole epochs of batch assembly (shuffle or balanced order, gather, augment) with a network that does nothing.
        foreach (var (name, batching, augmentation) in new (string, BatchingStrategy, ImageAugmentation?)[]
        {
            ("shuffle, no augmentation", BatchingStrategy.Shuffle, null),
            ("shuffle + augmentation", BatchingStrategy.Shuffle, options),
            ("balanced + augmentation", BatchingStrategy.ClassBalanced(), options),
        })
        {
            var trainer = new EpochTrainer<NothingNet>(new NothingNet(train.FeatureSize), train, 1, batching, augmentation) { ParameterCheckInterval = 0 };
            trainer.RunEpoch();
            double epoch = double.MaxValue;
            for (int attempt = 0; attempt < 3; attempt++)
            {
                long start = Stopwatch.GetTimestamp();
                trainer.RunEpoch();
                epoch = Math.Min(epoch, Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"batch assembly, {name,-25} {train.Count / epoch,12:N0} images/s ({epoch:F3} s per epoch of {train.Count}, best of 3)"));
        }
        return 0;
    }

    /// <summary>A network of batch size 64 whose training step does nothing: what remains is the batch assembly.</summary>
    private sealed class NothingNet(int inputs) : ITrainable
    {
        public int InputSize => inputs;
        public int OutputSize => 10;
        public int BatchSize => 64;
        public int ParameterCount => 0;
        public float LearningRate { get; set; }
        public long Step { get; private set; }
        public Span<float> Parameters => Span<float>.Empty;
        public Span<float> Gradients => Span<float>.Empty;
        public float TrainBatch(ReadOnlySpan<float> x, ReadOnlySpan<int> labels) { Step++; return x[^1]; }
        public float TrainBatch(ReadOnlySpan<float> x, ReadOnlySpan<float> targets) => throw new NotSupportedException();
        public float ComputeGradients(ReadOnlySpan<float> x, ReadOnlySpan<int> labels) => throw new NotSupportedException();
        public float ComputeGradients(ReadOnlySpan<float> x, ReadOnlySpan<float> targets) => throw new NotSupportedException();
        public void ApplyGradients() => throw new NotSupportedException();
        public void Predict(ReadOnlySpan<float> x, Span<float> y) => throw new NotSupportedException();
        public int Classify(ReadOnlySpan<float> x) => 0;
        public float Loss(ReadOnlySpan<float> x, int label) => 0;
        public float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> target) => throw new NotSupportedException();
    }
}
