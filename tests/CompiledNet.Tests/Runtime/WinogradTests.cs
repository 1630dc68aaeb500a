using System;
using CompiledNet.CompilerServices;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>
/// Winograd.ConvolveMaxPool against the definition in double precision (3×3 convolution over the zero-padded image,
/// bias, activation, the largest of each 2×2 window), for channel counts that are multiples of no vector width,
/// padding 0, 1 and 2, with and without bias; Refresh's cache follows the weights; bad arguments are refused with
/// the argument named. The width under test is this process's; ConvWidthTests runs a network with Winograd layers at
/// the other widths.
/// </summary>
public class WinogradTests
{
    private static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>The definition: y[o, i, j] = b[o] + Σ_c Σ_u Σ_v W[o, c, u, v]·x[c, i + u − p, j + v − p], then act, then 2×2 max pooling.</summary>
    private static double[] Reference(float[] w, float[] b, float[] x, int channels, int height, int width, int padding, int filters, bool relu)
    {
        int outHeight = height + 2 * padding - 2, outWidth = width + 2 * padding - 2;
        var y = new double[filters * outHeight * outWidth];
        for (int o = 0; o < filters; o++)
            for (int i = 0; i < outHeight; i++)
                for (int j = 0; j < outWidth; j++)
                {
                    double sum = b.Length == 0 ? 0 : b[o];
                    for (int c = 0; c < channels; c++)
                        for (int u = 0; u < 3; u++)
                            for (int v = 0; v < 3; v++)
                            {
                                int r = i + u - padding, q = j + v - padding;
                                if (r < 0 || r >= height || q < 0 || q >= width) continue;
                                sum += (double)w[((o * channels + c) * 3 + u) * 3 + v] * x[(c * height + r) * width + q];
                            }
                    y[(o * outHeight + i) * outWidth + j] = relu ? Math.Max(sum, 0) : sum;
                }
        var pooled = new double[filters * (outHeight / 2) * (outWidth / 2)];
        for (int o = 0; o < filters; o++)
            for (int i = 0; i < outHeight / 2; i++)
                for (int j = 0; j < outWidth / 2; j++)
                {
                    double largest = double.NegativeInfinity;
                    for (int di = 0; di < 2; di++)
                        for (int dj = 0; dj < 2; dj++)
                            largest = Math.Max(largest, y[(o * outHeight + 2 * i + di) * outWidth + 2 * j + dj]);
                    pooled[(o * (outHeight / 2) + i) * (outWidth / 2) + j] = largest;
                }
        return pooled;
    }

    private static float[] Run(float[] w, float[] b, float[] x, int channels, int height, int width, int padding, int filters, bool relu, float[] cache)
    {
        var scratch = new float[Winograd.ScratchLength(channels, filters, height, width, padding)];
        var y = new float[filters * ((height + 2 * padding - 2) / 2) * ((width + 2 * padding - 2) / 2)];
        Winograd.Refresh(w, channels, filters, cache);
        Winograd.ConvolveMaxPool(cache, b, x, channels, height, width, padding, filters, relu ? GemmActivation.ReLU : GemmActivation.Identity, y, scratch);
        return y;
    }

    [Theory]
    [InlineData(8, 16, 14, 14, 1, true, true)]
    [InlineData(5, 13, 6, 10, 1, false, true)]
    [InlineData(9, 7, 10, 8, 0, true, false)]
    [InlineData(32, 64, 14, 14, 1, true, true)]
    [InlineData(3, 17, 4, 6, 2, false, false)]
    [InlineData(8, 8, 30, 30, 1, true, true)] // 225 tiles: several chunks of tiles and a shorter last one
    public void MatchesTheDefinitionInDoublePrecision(int channels, int filters, int height, int width, int padding, bool relu, bool bias)
    {
        var w = Random(filters * channels * 9, channels + filters);
        var b = bias ? Random(filters, height) : Array.Empty<float>();
        var x = Random(channels * height * width, width + padding);
        var cache = new float[Winograd.CacheLength(channels, filters)];
        var y = Run(w, b, x, channels, height, width, padding, filters, relu, cache);
        var expected = Reference(w, b, x, channels, height, width, padding, filters, relu);
        // the transforms add up to 16 inputs (and up to 16 filter taps) before the products: a few ulps of the sum of |terms|
        double scale = 9 * channels;
        for (int k = 0; k < y.Length; k++)
            Assert.True(Math.Abs(y[k] - expected[k]) <= 2e-6 * scale, $"output {k}: {y[k]:R}, the definition gives {expected[k]:R}");
    }

    [Fact]
    public void TheCacheFollowsTheWeightsAndGivesTheSameBitsWhileTheyStay()
    {
        const int channels = 8, filters = 9, size = 8;
        var w = Random(filters * channels * 9, 1);
        var b = Random(filters, 2);
        var x = Random(channels * size * size, 3);
        var cache = new float[Winograd.CacheLength(channels, filters)];
        var first = Run(w, b, x, channels, size, size, 1, filters, true, cache);
        Assert.Equal(first, Run(w, b, x, channels, size, size, 1, filters, true, cache));
        // one weight changed: the cache is rebuilt, and the result is what a fresh cache gives
        w[5 * channels * 9 + 13] += 0.5f;
        var changed = Run(w, b, x, channels, size, size, 1, filters, true, cache);
        Assert.NotEqual(first, changed);
        Assert.Equal(Run(w, b, x, channels, size, size, 1, filters, true, new float[cache.Length]), changed);
        // a fresh cache (all zeros) for all-zero weights is already right: the outputs are the biases
        var zeros = new float[w.Length];
        var fromZeros = Run(zeros, b, x, channels, size, size, 1, filters, false, new float[cache.Length]);
        for (int o = 0; o < filters; o++)
            for (int t = 0; t < (size / 2) * (size / 2); t++) Assert.Equal(b[o], fromZeros[o * (size / 2) * (size / 2) + t]);
    }

    [Fact]
    public void AnOddOutputOrAWrongLengthIsRefusedWithTheArgumentNamed()
    {
        var scratch = new float[100_000];
        var cache = new float[Winograd.CacheLength(8, 8)];
        // 7 rows with padding 1: the convolution's output has 7 rows, which 2×2 windows do not tile
        var odd = Assert.Throws<ArgumentOutOfRangeException>(() => Winograd.ScratchLength(8, 8, 7, 8, 1));
        Assert.Equal("height", odd.ParamName);
        Assert.Contains("even number of rows", odd.Message);
        var narrow = Assert.Throws<ArgumentOutOfRangeException>(() => Winograd.ScratchLength(8, 8, 8, 5, 0));
        Assert.Equal("width", narrow.ParamName);
        var input = Assert.Throws<ArgumentException>(() => Winograd.ConvolveMaxPool(cache, default, new float[8 * 8 * 8 - 1], 8, 8, 8, 1, 8, GemmActivation.ReLU, new float[8 * 16], scratch));
        Assert.Equal("input", input.ParamName);
        Assert.Contains("511", input.Message);
        var output = Assert.Throws<ArgumentException>(() => Winograd.ConvolveMaxPool(cache, default, new float[8 * 8 * 8], 8, 8, 8, 1, 8, GemmActivation.ReLU, new float[8 * 16 + 1], scratch));
        Assert.Equal("output", output.ParamName);
        var weights = Assert.Throws<ArgumentException>(() => Winograd.Refresh(new float[10], 8, 8, cache));
        Assert.Equal("weights", weights.ParamName);
        var channels = Assert.Throws<ArgumentOutOfRangeException>(() => Winograd.CacheLength(0, 8));
        Assert.Equal("inChannels", channels.ParamName);
    }
}
