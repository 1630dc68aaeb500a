using System;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>A NaN or infinity handed to a training step directly is refused before it can reach any parameter.</summary>
[Collection(WorkerPoolCollection.Name)]
public class NonFiniteInputTests
{
    [Theory]
    [InlineData(float.NaN, 1)]
    [InlineData(float.PositiveInfinity, 1)]
    [InlineData(float.NegativeInfinity, 2)]
    public void TrainBatchRefusesANonFiniteInputNamingExampleAndPositionAndChangesNothing(float value, int threads)
    {
        var net = new SplitNet(3) { TrainingThreads = threads };
        var rng = new Random(1);
        var x = new float[SplitNet.BatchSize * SplitNet.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        var labels = Enumerable.Range(0, SplitNet.BatchSize).Select(i => i % SplitNet.OutputSize).ToArray();
        int example = SplitNet.BatchSize - 1, position = SplitNet.InputSize / 2;
        x[example * SplitNet.InputSize + position] = value;
        var before = net.Parameters.ToArray();
        long step = net.Step;

        var e = Assert.Throws<ArgumentException>(() => net.TrainBatch(x, labels));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains($"example {example}, value {position} is", e.Message);
        Assert.Equal(before, net.Parameters.ToArray());
        Assert.Equal(step, net.Step);
    }

    [Fact]
    public void ComputeGradientsRefusesANonFiniteTarget()
    {
        var net = new SplitNet(3);
        var x = new float[SplitNet.InputSize];
        var targets = new float[SplitNet.OutputSize];
        targets[1] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => net.ComputeGradients(x, targets));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("example 0, value 1 is NaN", e.Message);
    }
}
