using System;
using System.Threading.Tasks;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

public class ApiContractTests
{
    [Fact]
    public void PredictWithWrongInputLengthNamesExpectedAndActual()
    {
        var net = new SpiralNet();
        var ex = Assert.Throws<ArgumentException>(() => net.Predict(new float[3], new float[2]));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("has 3 values; expected 2", ex.Message);
    }

    [Fact]
    public void PredictWithWrongOutputLengthNamesExpectedAndActual()
    {
        var net = new SpiralNet();
        var ex = Assert.Throws<ArgumentException>(() => net.Predict(new float[2], new float[10]));
        Assert.Equal("y", ex.ParamName);
        Assert.Contains("has 10 values; expected 2", ex.Message);
    }

    [Fact]
    public void BatchLargerThanBatchSizeIsRejected()
    {
        var net = new SpiralNet();
        var ex = Assert.Throws<ArgumentException>(() => net.TrainBatch(new float[34], new int[17]));
        Assert.Contains("1 to 16 examples", ex.Message);
    }

    [Fact]
    public void InputsThatDisagreeWithLabelCountAreRejected()
    {
        var net = new SpiralNet();
        var ex = Assert.Throws<ArgumentException>(() => net.TrainBatch(new float[5], new int[3]));
        Assert.Equal("inputs", ex.ParamName);
        Assert.Contains("has 5 values; expected 6", ex.Message);
    }

    [Fact]
    public void LabelOutsideTheClassesIsRejectedWithItsIndex()
    {
        var net = new SpiralNet();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => net.TrainBatch(new float[4], new[] { 1, 2 }));
        Assert.Contains("labels[1] is 2", ex.Message);
    }

    [Fact]
    public void SameSeedGivesIdenticalInitialParameters_OtherSeedDiffers()
    {
        Assert.Equal(new SpiralNet(7).Parameters.ToArray(), new SpiralNet(7).Parameters.ToArray());
        Assert.NotEqual(new SpiralNet(7).Parameters.ToArray(), new SpiralNet(8).Parameters.ToArray());
    }

    [Fact]
    public void InitialWeightsHaveTheDeclaredSpreadAndBiasesAreZero()
    {
        // WideNet layer 1: 8 → 20000, LeCun: sd = 1/√8. 160,000 draws: the sample sd is within 1% of it.
        var p = new WideNet(3).Parameters;
        double sum = 0, sumSq = 0;
        const int weights = 8 * 20000;
        for (int j = 0; j < weights; j++) { sum += p[j]; sumSq += (double)p[j] * p[j]; }
        double mean = sum / weights, sd = Math.Sqrt(sumSq / weights - mean * mean);
        Assert.InRange(sd, 0.99 / Math.Sqrt(8), 1.01 / Math.Sqrt(8));
        Assert.InRange(mean, -0.005, 0.005);
        for (int j = weights; j < weights + 20000; j++) Assert.Equal(0f, p[j]);
    }

    [Fact]
    public void ApplyGradientsIsPlainSgd()
    {
        var net = new SpiralNet(2);
        var before = net.Parameters.ToArray();
        net.ComputeGradients(new float[] { 0.5f, -0.25f }, new[] { 1 });
        var g = net.Gradients.ToArray();
        net.ApplyGradients();
        for (int j = 0; j < before.Length; j++)
            Assert.Equal(before[j] - 0.2 * g[j], net.Parameters[j], 1e-6);
        Assert.Equal(1, net.Step);
    }

    [Fact]
    public void PredictFromManyThreadsGivesTheSingleThreadedAnswer()
    {
        var net = new SpiralNet(4);
        var inputs = new float[64 * 2];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = MathF.Sin(i);
        var expected = new float[64 * 2];
        for (int i = 0; i < 64; i++) net.Predict(inputs.AsSpan(2 * i, 2), expected.AsSpan(2 * i, 2));
        var actual = new float[64 * 2];
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            for (int rep = 0; rep < 200; rep++) net.Predict(inputs.AsSpan(2 * i, 2), actual.AsSpan(2 * i, 2));
        });
        Assert.Equal(expected, actual);
    }
}
