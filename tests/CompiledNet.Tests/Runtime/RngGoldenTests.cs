using System;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>
/// The generator's sequence is part of the product (same seed, same weights, shuffles and masks on every machine), so
/// it is pinned here. The expected values come from a separate implementation of SplitMix64 seeding and xoshiro128**
/// (Blackman and Vigna, "Scrambled linear pseudorandom number generators", 2021), written in Python from the paper's
/// reference code, not from this library.
/// </summary>
public class RngGoldenTests
{
    [Theory]
    [InlineData(0L, new uint[] { 0xdec9045d, 0x9a089d75, 0xab77d362, 0xc3e16405, 0x5c95a8da, 0x60dea056 })]
    [InlineData(1L, new uint[] { 0x650941ba, 0x54d30301, 0x25d2f321, 0x3fabdca9, 0x2ab8e0a6, 0xf9890067 })]
    [InlineData(-1L, new uint[] { 0x1c78f79c, 0x94a7662a, 0x211f3ea0, 0x243a6ba3, 0x03a7fd33, 0x11f80560 })]
    [InlineData(20261201L, new uint[] { 0x484898c6, 0x0b26f70f, 0xa6e47c87, 0x219ac49c, 0x89b21d8e, 0x65082a79 })]
    public void TheFirstWordsOfASeedAreTheReferenceSequence(long seed, uint[] expected)
    {
        var rng = new Rng(seed);
        foreach (uint word in expected) Assert.Equal(word, rng.NextUInt32());
    }

    [Fact]
    public void NextIntDrawsTheReferenceSequenceWithLemiresMethod()
    {
        var rng = new Rng(7);
        int[] expected = { 4, 3, 6, 8, 4, 2, 7, 0, 1, 3, 7, 9, 1, 9, 5, 2, 4, 7, 8, 8 };
        foreach (int value in expected) Assert.Equal(value, rng.NextInt(10));
    }

    [Fact]
    public void NextFloatTakesTheTop24BitsOfAWord()
    {
        var rng = new Rng(7);
        double[] expected = { 0.4193505048751831, 0.3618946671485901, 0.6968157291412354, 0.835624635219574 };
        foreach (double value in expected) Assert.Equal((float)value, rng.NextFloat());
    }

    [Fact]
    public void NextDoubleJoinsTwoWordsInto53Bits()
    {
        var rng = new Rng(7);
        double[] expected = { 0.4193505200934351, 0.6968157465652619, 0.4836025103557391, 0.7748895972208223 };
        foreach (double value in expected) Assert.Equal(value, rng.NextDouble());
    }

    [Fact]
    public void NextGaussianIsBoxMullerOverNextDoubleUsingBothValues()
    {
        var rng = new Rng(7);
        float[] expected = { -0.3419855833053589f, -0.9850187301635742f, 0.17906135320663452f, -1.135646939277649f, 0.04727291315793991f };
        foreach (float value in expected) Assert.Equal(value, rng.NextGaussian());
    }

    [Fact]
    public void ShuffleIsFisherYatesDrawingWithNextInt()
    {
        var rng = new Rng(3);
        var items = new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        rng.Shuffle(items.AsSpan());
        Assert.Equal(new[] { 0, 1, 8, 7, 3, 9, 2, 5, 6, 4 }, items);
        rng.Shuffle(items.AsSpan());
        Assert.Equal(new[] { 7, 4, 3, 1, 5, 6, 8, 9, 2, 0 }, items);
    }
}
