using System;
using System.Linq;
using Xunit;

namespace CompiledNet.Tests.Runtime;

public class AugmentationTests
{
    private static float[] RandomImage(int height, int width, int seed, float lo = 0f, float hi = 1f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, height * width).Select(_ => lo + (hi - lo) * (float)random.NextDouble()).ToArray();
    }

    private static float[] Transform(float[] image, int height, int width, float dx, float dy, float degrees, float border = 0)
    {
        var target = new float[image.Length];
        new ImageAugmenter(new ImageAugmentation { Border = border }, height, width).Transform(image, target, dx, dy, degrees);
        return target;
    }

    /// <summary>The definition, in double precision: rotate about the centre, then shift; bilinear over the image extended with the border value.</summary>
    private static double[] Reference(float[] image, int height, int width, double dx, double dy, double degrees, double border)
    {
        double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0, t = degrees * Math.PI / 180, cos = Math.Cos(t), sin = Math.Sin(t);
        double Pixel(int x, int y) => x >= 0 && x < width && y >= 0 && y < height ? image[y * width + x] : border;
        var result = new double[image.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double xr = x - cx - dx, yr = y - cy - dy;
                double sx = cx + cos * xr - sin * yr, sy = cy + sin * xr + cos * yr;
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                double fx = sx - x0, fy = sy - y0;
                result[y * width + x] = (1 - fy) * ((1 - fx) * Pixel(x0, y0) + fx * Pixel(x0 + 1, y0))
                    + fy * ((1 - fx) * Pixel(x0, y0 + 1) + fx * Pixel(x0 + 1, y0 + 1));
            }
        return result;
    }

    [Fact]
    public void ShiftByOneColumnMovesEveryPixelExactlyOneColumnRight()
    {
        const int h = 5, w = 7;
        var image = RandomImage(h, w, 1);
        var shifted = Transform(image, h, w, 1, 0, 0, border: 0.25f);
        for (int y = 0; y < h; y++)
        {
            Assert.Equal(0.25f, shifted[y * w]);
            for (int x = 1; x < w; x++) Assert.Equal(image[y * w + x - 1], shifted[y * w + x]);
        }
    }

    [Fact]
    public void ShiftUpByTwoRowsBringsTheBorderInAtTheBottom()
    {
        const int h = 6, w = 4;
        var image = RandomImage(h, w, 2);
        var shifted = Transform(image, h, w, 0, -2, 0);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                Assert.Equal(y + 2 < h ? image[(y + 2) * w + x] : 0f, shifted[y * w + x]);
    }

    [Fact]
    public void RotationByZeroIsTheIdentity()
    {
        var image = RandomImage(28, 28, 3);
        Assert.Equal(image, Transform(image, 28, 28, 0, 0, 0));
        Assert.Equal(image, Transform(image, 28, 28, 0, 0, 360));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(28)]
    public void RotationBy90DegreesOfASquareImageIsTheExactTranspositionAndFlip(int n)
    {
        var image = RandomImage(n, n, n);
        var rotated = Transform(image, n, n, 0, 0, 90);
        var back = Transform(image, n, n, 0, 0, -90);
        var half = Transform(image, n, n, 0, 0, 180);
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                // Counter-clockwise as displayed: the right column becomes the top row (numpy's rot90).
                Assert.Equal(image[c * n + (n - 1 - r)], rotated[r * n + c]);
                Assert.Equal(image[(n - 1 - c) * n + r], back[r * n + c]);
                Assert.Equal(image[(n - 1 - r) * n + (n - 1 - c)], half[r * n + c]);
            }
    }

    [Theory]
    [InlineData(28, 28, 12.5, 1, -2)]
    [InlineData(28, 28, -7, 0.5, 0.25)]
    [InlineData(5, 7, 33, -1.5, 0)]      // 35 pixels: the 8-wide path and the scalar tail
    [InlineData(9, 4, -150, 0, 3)]
    public void ArbitraryRotationsAndShiftsMatchTheBilinearDefinition(int h, int w, double degrees, double dx, double dy)
    {
        var image = RandomImage(h, w, h * w);
        var actual = Transform(image, h, w, (float)dx, (float)dy, (float)degrees, border: 0.1f);
        var expected = Reference(image, h, w, dx, dy, degrees, 0.1);
        for (int i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - expected[i]) < 2e-5, $"pixel {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void ValuesStayInTheRangeOfTheInputAndTheBorder()
    {
        var image = RandomImage(28, 28, 4, lo: 0.2f, hi: 0.9f);
        float lo = image.Min(), hi = image.Max();
        var augmenter = new ImageAugmenter(new ImageAugmentation { MaxShift = 3, MaxRotationDegrees = 45, Border = 0.5f }, 28, 28);
        var rng = new Rng(1);
        var target = new float[784];
        for (int k = 0; k < 500; k++)
        {
            augmenter.Apply(image, target, rng);
            Assert.All(target, v => Assert.InRange(v, lo, hi));
        }
        var white = Enumerable.Repeat(1f, 784).ToArray();
        for (int k = 0; k < 100; k++)
        {
            augmenter.Apply(white, target, rng);
            Assert.All(target, v => Assert.InRange(v, 0.5f, 1f));
        }
    }

    [Fact]
    public void SameSeedGivesTheSameAugmentations()
    {
        var image = RandomImage(28, 28, 5);
        var options = new ImageAugmentation { MaxShift = 2, MaxRotationDegrees = 10 };
        float[] Run(long seed)
        {
            var augmenter = new ImageAugmenter(options, 28, 28);
            var rng = new Rng(seed);
            var all = new float[10 * 784];
            for (int k = 0; k < 10; k++) augmenter.Apply(image, all.AsSpan(k * 784, 784), rng);
            return all;
        }
        Assert.Equal(Run(7), Run(7));
        Assert.NotEqual(Run(7), Run(8));
    }

    [Fact]
    public void ProbabilitiesControlHowOftenAnExampleIsChanged()
    {
        var image = RandomImage(10, 10, 6);
        var target = new float[100];
        var never = new ImageAugmenter(new ImageAugmentation { ShiftProbability = 0, RotationProbability = 0 }, 10, 10);
        var rng = new Rng(2);
        for (int k = 0; k < 50; k++) { never.Apply(image, target, rng); Assert.Equal(image, target); }

        // Shifts only, with probability 0.5; a drawn shift is (0, 0) one time in 9: changed ≈ 0.5 · 8/9 = 0.444.
        var half = new ImageAugmenter(new ImageAugmentation { MaxShift = 1, ShiftProbability = 0.5f, MaxRotationDegrees = 0 }, 10, 10);
        int changed = 0;
        for (int k = 0; k < 4000; k++) { half.Apply(image, target, rng); if (!target.SequenceEqual(image)) changed++; }
        Assert.InRange(changed / 4000.0, 0.41, 0.48);
    }

    [Fact]
    public void WrongSizesAndSettingsAreRejectedWithTheValues()
    {
        var augmenter = new ImageAugmenter(new ImageAugmentation(), 28, 28);
        var ex = Assert.Throws<ArgumentException>(() => augmenter.Transform(new float[783], new float[784], 0, 0, 0));
        Assert.Contains("source has 783 values; expected 784", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => augmenter.Transform(new float[784], new float[10], 0, 0, 0));
        Assert.Contains("target has 10 values; expected 784", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new ImageAugmenter(new ImageAugmentation { MaxShift = -1 }, 28, 28));
        Assert.Contains("MaxShift is -1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new ImageAugmenter(new ImageAugmentation { RotationProbability = 1.5f }, 28, 28));
        Assert.Contains("RotationProbability is 1.5", ex.Message);
        var data = new Dataset(new float[2 * 784], 784, new int[2], 1);
        ex = Assert.Throws<ArgumentException>(() => new ImageAugmentation { Height = 20, Width = 20 }.CreateAugmenter(data));
        Assert.Contains("400 values, but the examples have 784 features", ex.Message);
    }

    [Fact]
    public void AShiftLargerThanTheImageLeavesOnlyTheBorder()
    {
        var image = RandomImage(8, 8, 9);
        Assert.All(Transform(image, 8, 8, 1e9f, 0, 0, border: 0.3f), v => Assert.Equal(0.3f, v));
        Assert.All(Transform(image, 8, 8, -40, 3, 20, border: 0.3f), v => Assert.Equal(0.3f, v));
    }
}
