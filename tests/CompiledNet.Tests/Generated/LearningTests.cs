using System;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

public class LearningTests
{
    /// <summary>Two interleaved spirals, 200 points each: not linearly separable, so the hidden layers must learn.</summary>
    private static (float[] X, int[] Labels) Spirals(int perClass, int seed)
    {
        var rng = new Random(seed);
        var x = new float[perClass * 2 * 2];
        var labels = new int[perClass * 2];
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < perClass; i++)
            {
                double t = 0.25 + 2.75 * Math.PI * i / perClass; // 1.4 turns
                double r = t / (3 * Math.PI);
                double angle = t + c * Math.PI;
                int k = c * perClass + i;
                x[2 * k] = (float)(r * Math.Cos(angle) + rng.NextDouble() * 0.02);
                x[2 * k + 1] = (float)(r * Math.Sin(angle) + rng.NextDouble() * 0.02);
                labels[k] = c;
            }
        return (x, labels);
    }

    [Fact]
    public void TwoSpiralsReach95PercentTrainingAccuracyWithin600Epochs()
    {
        var (x, labels) = Spirals(200, 1);
        int n = labels.Length;
        var net = new SpiralNet(seed: 3);
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var rng = new Rng(5);
        var batchX = new float[SpiralNet.BatchSize * 2];
        var batchY = new int[SpiralNet.BatchSize];
        double accuracy = 0;
        int epoch;
        for (epoch = 1; epoch <= 600; epoch++)
        {
            rng.Shuffle(order.AsSpan());
            for (int start = 0; start < n; start += SpiralNet.BatchSize)
            {
                int count = Math.Min(SpiralNet.BatchSize, n - start);
                for (int j = 0; j < count; j++)
                {
                    int k = order[start + j];
                    batchX[2 * j] = x[2 * k];
                    batchX[2 * j + 1] = x[2 * k + 1];
                    batchY[j] = labels[k];
                }
                net.TrainBatch(batchX.AsSpan(0, count * 2), batchY.AsSpan(0, count));
            }
            if (epoch % 20 == 0)
            {
                int correct = 0;
                for (int k = 0; k < n; k++)
                    if (net.Classify(x.AsSpan(2 * k, 2)) == labels[k]) correct++;
                accuracy = (double)correct / n;
                if (accuracy >= 0.95) break;
            }
        }
        Assert.True(accuracy >= 0.95, $"training accuracy {accuracy:F3} after {epoch - 1} epochs");
    }

    [Fact]
    public void TrainerRunsAreBitIdenticalForTheSameSeeds()
    {
        var (x, labels) = Spirals(50, 2);
        var data = new Dataset(x, 2, labels, 2);
        float[] Run()
        {
            var net = new SpiralNet(seed: 9);
            var result = Trainer.Train(net, data, new TrainingOptions { Epochs = 3, Seed = 4 });
            Assert.Equal(3 * 7, result.Epochs.Sum(e => e.Steps)); // 100 examples in batches of 16: 6 full + 1 of 4
            return net.Parameters.ToArray();
        }
        Assert.Equal(Run(), Run());
    }
}
