using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>The Architecture text (shown in checkpoint errors and samples) names every layer option.</summary>
public class ArchitectureTextTests
{
    [Fact]
    public void LayerOptionsAppearInTheArchitecture()
    {
        Assert.StartsWith("5 → 10 Tanh (batch norm, dropout 0.25, DropConnect 0.2) → 3 Sigmoid; ", CombinedNet.Architecture);
        Assert.StartsWith("5 → 9 Maxout (3 pieces) → 4 Maxout (2 pieces, dropout 0.2) → 3 Softmax; ", MaxoutNet.Architecture);
        Assert.Contains("(no bias)", NoBiasNet.Architecture);
        Assert.Contains("; input dropout 0.2", DropoutNet.Architecture);
        Assert.DoesNotContain("(", SpiralNet.Architecture.Split(';')[0]);
    }
}
