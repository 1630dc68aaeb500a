using System;

namespace CompiledNet.Tests.Generated;

/// <summary>A seeded batch of inputs uniform in [−1, 1) and labels uniform over the classes.</summary>
internal static class RandomBatch
{
    public static (float[] X, int[] Labels) Of(int rows, int inputs, int classes, int seed)
    {
        var rng = new Random(seed);
        var x = new float[rows * inputs];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var labels = new int[rows];
        for (int i = 0; i < rows; i++) labels[i] = rng.Next(classes);
        return (x, labels);
    }
}
