using System;
using System.Linq;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>What the threaded-training tests check of a network trained on one thread and on several.</summary>
internal static class SplitChecks
{
    /// <summary>Every gradient component of <paramref name="many"/> within 1e-5 of the largest component of <paramref name="one"/>'s.</summary>
    public static void GradientsDifferOnlyInRounding(ITrainable one, ITrainable many, string what)
    {
        double scale = 0;
        for (int i = 0; i < one.Gradients.Length; i++) scale = Math.Max(scale, Math.Abs(one.Gradients[i]));
        Assert.True(scale > 0, "the gradient is zero: nothing was compared");
        for (int i = 0; i < one.Gradients.Length; i++)
            Assert.True(Math.Abs(one.Gradients[i] - many.Gradients[i]) <= 1e-5 * scale,
                $"{what}: gradient {i} ({one.DescribeParameter(i)}): 1 thread {one.Gradients[i]:R}, split {many.Gradients[i]:R}");
    }

    /// <summary>
    /// Trains a fresh network for <paramref name="steps"/> steps on the given batches: twice on two threads (the losses
    /// and parameters must be the same bits) and once on one (the losses within 1e-3, the thread count changing only
    /// the rounding of the gradient sums).
    /// </summary>
    public static void SameBitsOnEveryRunAndLearnsLikeOneThread<TNet>(Func<TNet> create, Func<int, (float[] X, int[] Labels)> batch, int steps = 20)
        where TNet : ITrainable
    {
        float[] Run(int threads, out float[] parameters)
        {
            var net = create();
            net.TrainingThreads = threads;
            var losses = new float[steps];
            for (int s = 0; s < steps; s++)
            {
                var (x, labels) = batch(s);
                losses[s] = net.TrainBatch(x, labels);
            }
            parameters = net.Parameters.ToArray();
            return losses;
        }
        var a = Run(2, out var pa);
        var b = Run(2, out var pb);
        Assert.Equal(a, b);
        Assert.Equal(pa, pb);
        var single = Run(1, out _);
        for (int s = 0; s < steps; s++) Assert.Equal(single[s], a[s], 1e-3f);
    }
}
