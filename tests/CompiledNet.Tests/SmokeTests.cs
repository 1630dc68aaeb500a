using Xunit;

namespace CompiledNet.Tests;

public class RngTests
{
    [Fact]
    public void SameSeedGivesSameSequence()
    {
        var a = new Rng(42);
        var b = new Rng(42);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt32(), b.NextUInt32());
    }
}
