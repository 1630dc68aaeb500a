using System;
using System.Collections.Generic;
using System.Linq;
using CompiledNet.CompilerServices;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>
/// Gemm.Multiply computes act(X·W + b) like a plain double-precision triple loop, within float rounding, for shapes
/// that are multiples of no vector width, every row count from 1 to 67 (partial blocks of rows, several stripes) and
/// both activations. The width under test is the one this process runs with; GemmWidthTests runs the same checks in
/// child processes at the other widths.
/// </summary>
public class GemmTests
{
    /// <summary>Random X (rows × k), W (k × n) and b (n), reproducible from the seed.</summary>
    internal static (float[] X, float[] W, float[] B) Problem(int rows, int k, int n, int seed)
    {
        var rng = new Random(seed);
        float Next() => (float)(rng.NextDouble() * 2 - 1);
        var x = new float[rows * k];
        var w = new float[k * n];
        var b = new float[n];
        for (int i = 0; i < x.Length; i++) x[i] = Next();
        for (int i = 0; i < w.Length; i++) w[i] = Next();
        for (int i = 0; i < b.Length; i++) b[i] = Next();
        return (x, w, b);
    }

    /// <summary>
    /// The largest error of <paramref name="y"/> against the double-precision result, each relative to the size of
    /// its terms (|b| + Σ|x·w|, the scale float rounding errors grow with).
    /// </summary>
    internal static double WorstError(float[] x, float[] w, float[] b, int rows, int k, int n, GemmActivation activation, float[] y)
    {
        double worst = 0;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++)
            {
                double sum = b.Length == 0 ? 0 : b[j], scale = b.Length == 0 ? 0 : Math.Abs(b[j]);
                for (int i = 0; i < k; i++)
                {
                    double term = (double)x[r * k + i] * w[i * n + j];
                    sum += term;
                    scale += Math.Abs(term);
                }
                if (activation == GemmActivation.ReLU) sum = Math.Max(sum, 0);
                worst = Math.Max(worst, Math.Abs(y[r * n + j] - sum) / Math.Max(scale, 1e-30));
            }
        return worst;
    }

    /// <summary>Packs, multiplies into an output with a sentinel beyond its end, and returns the worst error (the sentinel must survive).</summary>
    internal static double Run(int rows, int k, int n, GemmActivation activation, bool bias, int seed)
    {
        var (x, w, b) = Problem(rows, k, n, seed);
        if (!bias) b = Array.Empty<float>();
        var packed = new float[Gemm.PackedLength(k, n)];
        Gemm.Pack(w, b, k, n, packed);
        var y = new float[rows * n + 1];
        y[^1] = 12345f;
        Gemm.Multiply(x, rows, k, packed, n, y.AsSpan(0, rows * n), activation);
        if (y[^1] != 12345f) throw new InvalidOperationException($"Multiply wrote past rows × n ({rows} × {n}).");
        return WorstError(x, w, b, rows, k, n, activation, y);
    }

    public static IEnumerable<object[]> Shapes()
    {
        foreach (var activation in new[] { GemmActivation.Identity, GemmActivation.ReLU })
            foreach (var (k, n) in new[] { (1, 1), (3, 5), (13, 17), (31, 65), (129, 10), (300, 130), (784, 70) })
                yield return new object[] { k, n, activation };
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryRowCountFrom1To67MatchesTheDoubleReference(int k, int n, GemmActivation activation)
    {
        for (int rows = 1; rows <= 67; rows++)
        {
            double worst = Run(rows, k, n, activation, bias: true, seed: rows * 1000 + k + n);
            Assert.True(worst <= 1e-5, $"{rows} × {k} · {k} × {n}, {activation}: relative error {worst:E2}");
        }
    }

    [Theory]
    [InlineData(200, 784, 256)]
    [InlineData(250, 256, 128)]
    [InlineData(250, 784, 10)]
    public void SeveralStripesAndDepthBlocksMatchTheDoubleReference(int rows, int k, int n)
    {
        double worst = Run(rows, k, n, GemmActivation.ReLU, bias: true, seed: 7);
        Assert.True(worst <= 1e-5, $"relative error {worst:E2}");
    }

    [Fact]
    public void WithoutBiasTheProductStartsFromZero()
    {
        double worst = Run(7, 19, 21, GemmActivation.Identity, bias: false, seed: 3);
        Assert.True(worst <= 1e-5, $"relative error {worst:E2}");
    }

    [Fact]
    public void ReLUClampsNegativeResultsToZeroExactly()
    {
        var packed = new float[Gemm.PackedLength(1, 3)];
        Gemm.Pack(new[] { 1f, -1f, 2f }, new[] { 0f, 0f, -5f }, 1, 3, packed);
        var y = new float[3];
        Gemm.Multiply(new[] { 1.5f }, 1, 1, packed, 3, y, GemmActivation.ReLU);
        Assert.Equal(new[] { 1.5f, 0f, 0f }, y);
    }

    /// <summary>
    /// Inputs that are zero in every row of a block (a blank background, units a ReLU switched off) are skipped: the
    /// result is the plain sequence of fused multiply-adds b + x₀w₀ + x₁w₁ + … bit for bit, since a zero term adds
    /// nothing; a NaN input is not zero and still reaches its row's outputs.
    /// </summary>
    [Theory]
    [InlineData(48, 784, 256)]
    [InlineData(61, 300, 130)]
    [InlineData(13, 37, 64)]
    public void InputsZeroInEveryRowOfABlockAreSkippedWithTheSameBits(int rows, int k, int n)
    {
        var (x, w, b) = Problem(rows, k, n, seed: rows + k);
        var rng = new Random(k);
        for (int i = 0; i < k; i++)
        {
            // a third of the inputs zero in every row, +0 or −0; a few more zero in some rows only
            bool blank = rng.Next(3) == 0;
            for (int r = 0; r < rows; r++)
                if (blank || rng.Next(8) == 0) x[r * k + i] = rng.Next(2) == 0 ? 0f : -0f;
        }
        var packed = new float[Gemm.PackedLength(k, n)];
        Gemm.Pack(w, b, k, n, packed);
        var y = new float[rows * n];
        Gemm.Multiply(x, rows, k, packed, n, y, GemmActivation.Identity);
        double worst = WorstError(x, w, b, rows, k, n, GemmActivation.Identity, y);
        Assert.True(worst <= 1e-5, $"relative error {worst:E2}");
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported) // bits: where every term is one fused multiply-add
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < n; j++)
                {
                    float sum = b[j];
                    for (int i = 0; i < k; i++) sum = MathF.FusedMultiplyAdd(x[r * k + i], w[i * n + j], sum);
                    Assert.True(BitConverter.SingleToInt32Bits(sum) == BitConverter.SingleToInt32Bits(y[r * n + j]) || (sum == 0 && y[r * n + j] == 0),
                        $"row {r}, column {j}: {y[r * n + j]:R}, the sequence of fused multiply-adds gives {sum:R}");
                }
        // A NaN where every other row of its block is zero: it reaches all of its row's outputs and no other row's.
        int nanRow = Math.Min(5, rows - 1), blankInput = Enumerable.Range(0, k).First(i => Enumerable.Range(0, rows).All(r => x[r * k + i] == 0));
        x[nanRow * k + blankInput] = float.NaN;
        var withNaN = new float[rows * n];
        Gemm.Multiply(x, rows, k, packed, n, withNaN, GemmActivation.Identity);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++)
                Assert.True(r == nanRow ? float.IsNaN(withNaN[r * n + j]) : withNaN[r * n + j].Equals(y[r * n + j]), $"row {r}, column {j} with a NaN input in row {nanRow}: {withNaN[r * n + j]}");
    }

    [Fact]
    public void ZeroRowsWritesNothing()
    {
        var packed = new float[Gemm.PackedLength(2, 2)];
        var y = new[] { 9f };
        Gemm.Multiply(ReadOnlySpan<float>.Empty, 0, 2, packed, 2, y, GemmActivation.Identity);
        Assert.Equal(9f, y[0]);
    }

    [Fact]
    public void PackRejectsWrongLengthsNamingTheArgument()
    {
        var packed = new float[Gemm.PackedLength(4, 3)];
        var e = Assert.Throws<ArgumentException>(() => Gemm.Pack(new float[11], new float[3], 4, 3, packed));
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("11", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Pack(new float[12], new float[2], 4, 3, packed));
        Assert.Equal("bias", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Gemm.Pack(new float[12], new float[3], 4, 3, new float[packed.Length - 1]));
        Assert.Equal("packed", e.ParamName);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.PackedLength(0, 3));
        Assert.Equal("k", range.ParamName);
    }

    [Fact]
    public void MultiplyRejectsWrongLengthsNamingTheArgument()
    {
        var packed = new float[Gemm.PackedLength(4, 3)];
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[7], 2, 4, packed, 3, new float[6], GemmActivation.Identity));
        Assert.Equal("x", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[8], 2, 4, packed, 3, new float[5], GemmActivation.Identity));
        Assert.Equal("y", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[8], 2, 4, packed.AsSpan(1), 3, new float[6], GemmActivation.Identity));
        Assert.Equal("packed", e.ParamName);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(new float[8], -1, 4, packed, 3, new float[6], GemmActivation.Identity));
        Assert.Equal("rows", range.ParamName);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(new float[8], 2, 4, packed, 3, new float[6], (GemmActivation)7));
        Assert.Equal("activation", range.ParamName);
    }
}
