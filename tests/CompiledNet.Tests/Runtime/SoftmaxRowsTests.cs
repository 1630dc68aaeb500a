using System;
using CompiledNet.CompilerServices;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>
/// Kernels.SoftmaxRows, the vectorised softmax PredictBatch applies to a chunk of rows on packed weights: accurate
/// against a double-precision softmax, every row independent of the others (same bits alone or in a block), exact
/// zeros instead of subnormals, NaN for a row with a NaN or +∞ logit, and clear errors for wrong lengths.
/// GemmWidthTests checks that the bits are the same at every vector width.
/// </summary>
public class SoftmaxRowsTests
{
    private static float[] Logits(int rows, int classes, double spread, int seed)
    {
        var rng = new Random(seed);
        var z = new float[rows * classes];
        for (int i = 0; i < z.Length; i++) z[i] = (float)((rng.NextDouble() * 2 - 1) * spread);
        return z;
    }

    [Theory]
    [InlineData(1, 1, 5.0)]
    [InlineData(7, 3, 5.0)]
    [InlineData(96, 10, 30.0)]
    [InlineData(33, 17, 80.0)]
    [InlineData(5, 40, 200.0)]
    public void EveryProbabilityIsWithin1e6OfTheDoublePrecisionSoftmax(int rows, int classes, double spread)
    {
        var z = Logits(rows, classes, spread, rows * 31 + classes);
        var p = new float[z.Length];
        Kernels.SoftmaxRows(z, rows, classes, p);
        for (int r = 0; r < rows; r++)
        {
            // The differences z − max are taken in float, as every float softmax takes them (their rounding, up to
            // |z − max|·2⁻²⁴ relative in e^(z − max), is the input's, not the kernel's); the rest in double.
            float max = float.NegativeInfinity;
            double sum = 0;
            for (int j = 0; j < classes; j++) max = Math.Max(max, z[r * classes + j]);
            for (int j = 0; j < classes; j++) sum += Math.Exp(z[r * classes + j] - max);
            for (int j = 0; j < classes; j++)
            {
                double expected = Math.Exp(z[r * classes + j] - max) / sum;
                double error = Math.Abs(p[r * classes + j] - expected);
                Assert.True(error <= 1e-6 * expected + 1e-37, $"row {r}, class {j}: {p[r * classes + j]:R}, double precision {expected:R}");
            }
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(17)]
    public void ARowHasTheSameBitsAloneAsInABlock(int classes)
    {
        const int rows = 29;
        var z = Logits(rows, classes, 50, classes);
        var block = new float[z.Length];
        Kernels.SoftmaxRows(z, rows, classes, block);
        var alone = new float[classes];
        for (int r = 0; r < rows; r++)
        {
            Kernels.SoftmaxRows(z.AsSpan(r * classes, classes), 1, classes, alone);
            for (int j = 0; j < classes; j++)
                Assert.Equal(BitConverter.SingleToInt32Bits(block[r * classes + j]), BitConverter.SingleToInt32Bits(alone[j]));
        }
    }

    [Fact]
    public void AProbabilityBelowTheNormalFloatsIsExactlyZero()
    {
        // e^-100 relative to the largest logit is ≈ 3.7e-44: a subnormal float, which costs a microcode assist on Intel
        // cores wherever it is used next; SoftmaxRows gives 0 instead (e^x below e^-87.34 is not a normal float).
        var z = new float[] { 0f, -100f, -80f, -87.5f };
        var p = new float[4];
        Kernels.SoftmaxRows(z, 1, 4, p);
        Assert.Equal(0f, p[1]);   // e^-100 ≈ 3.7e-44
        Assert.Equal(0f, p[3]);   // e^-87.5 ≈ 9.9e-39, just below the smallest normal float (1.18e-38)
        Assert.True(float.IsNormal(p[2]) && Math.Abs(p[2] - Math.Exp(-80)) <= 1e-6 * Math.Exp(-80), $"p[2] = {p[2]:R}, e^-80 = {Math.Exp(-80):R}");
        Assert.Equal(1f, p[0]);
    }

    [Fact]
    public void ARowWithANaNOrPositiveInfinityIsNaNAndNegativeInfinityGivesZero()
    {
        var z = new float[] { 1f, float.NaN, 2f, 0f, float.NegativeInfinity, 3f, float.PositiveInfinity, 1f, 1f };
        var p = new float[9];
        Kernels.SoftmaxRows(z, 3, 3, p);
        Assert.All(p[0..3], v => Assert.True(float.IsNaN(v)));
        Assert.Equal(0f, p[4]);
        Assert.Equal(1f, p[3] + p[4] + p[5], 6);
        Assert.All(p[6..9], v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void WrongLengthsNameTheBufferAndBothCounts()
    {
        var error = Assert.Throws<ArgumentException>(() => Kernels.SoftmaxRows(new float[20], 3, 7, new float[20]));
        Assert.Equal("logits", error.ParamName);
        Assert.Contains("20", error.Message);
        Assert.Contains("21", error.Message);
        error = Assert.Throws<ArgumentException>(() => Kernels.SoftmaxRows(new float[21], 3, 7, new float[20]));
        Assert.Equal("probabilities", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.SoftmaxRows(new float[0], 0, 0, new float[0]));
    }
}
