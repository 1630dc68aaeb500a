using System;
using System.Globalization;
using CompiledNet.CompilerServices;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>
/// Kernels.LargestOfPairs, one output row of 2×2 max pooling with stride 2 in vectors: the same bits as the scalar form
/// (Kernels.Larger in the order top-left, top-right, bottom-left, bottom-right, the order of the training forward's
/// pooling) for every row length, NaN, signed zeros and ties included; the training form also the same winners (the
/// first of equal values). GemmWidthTests checks the bits at every width.
/// </summary>
public class LargestOfPairsTests
{
    /// <summary>Two input rows of 2·count + 1 values (an odd width leaves the last column out, as pooling does) with NaN, ±0, ∞ and ties.</summary>
    internal static (float[] Top, float[] Bottom) Rows(int count, int seed)
    {
        var rng = new Random(seed);
        float[] special = { float.NaN, 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, 1f, -1f };
        float Next() => rng.Next(4) == 0 ? special[rng.Next(special.Length)] : (float)Math.Round(rng.NextDouble() * 8 - 4, 1);
        var top = new float[2 * count + 1];
        var bottom = new float[2 * count + 1];
        for (int i = 0; i < top.Length; i++) { top[i] = Next(); bottom[i] = Next(); }
        return (top, bottom);
    }

    /// <summary>The two rows one after the other, as in an image: the kernel finds the bottom row one width after the top.</summary>
    private static float[] Image(float[] top, float[] bottom)
    {
        var image = new float[top.Length + bottom.Length];
        top.CopyTo(image, 0);
        bottom.CopyTo(image, top.Length);
        return image;
    }

    private static float[] Reference(float[] top, float[] bottom, int count)
    {
        var y = new float[count];
        for (int j = 0; j < count; j++)
        {
            float best = top[2 * j];
            best = Kernels.Larger(top[2 * j + 1], best);
            best = Kernels.Larger(bottom[2 * j], best);
            y[j] = Kernels.Larger(bottom[2 * j + 1], best);
        }
        return y;
    }

    [Fact]
    public void EveryRowLengthGivesTheBitsOfTheScalarForm()
    {
        for (int count = 0; count <= 70; count++)
            for (int seed = 0; seed < 4; seed++)
            {
                var (top, bottom) = Rows(count, count * 7 + seed);
                var y = new float[count + 1];
                y[count] = 42f; // beyond the row: must stay
                Kernels.LargestOfPairs(ref Image(top, bottom)[0], top.Length, ref y[0], count);
                var expected = Reference(top, bottom, count);
                for (int j = 0; j < count; j++)
                    Assert.True(BitConverter.SingleToUInt32Bits(expected[j]) == BitConverter.SingleToUInt32Bits(y[j]),
                        $"count {count}, seed {seed}, output {j}: expected {expected[j]} (0x{BitConverter.SingleToUInt32Bits(expected[j]):x8}), got {y[j]} (0x{BitConverter.SingleToUInt32Bits(y[j]):x8})");
                Assert.Equal(42f, y[count]);
            }
    }

    [Fact]
    public void TheTrainingFormGivesTheScalarFormsValuesAndWinners()
    {
        for (int count = 0; count <= 70; count++)
            for (int seed = 0; seed < 4; seed++)
            {
                var (top, bottom) = Rows(count, count * 11 + seed);
                int width = top.Length;
                var image = Image(top, bottom);
                var y = new float[count + 1];
                var at = new int[count + 1];
                y[count] = 42f;
                at[count] = -5;
                const int offset = 1000;
                Kernels.LargestOfPairs(ref image[0], width, ref y[0], ref at[0], count, offset);
                var expected = Reference(top, bottom, count);
                for (int j = 0; j < count; j++)
                {
                    // The scalar form of the training forward: the first of equal values wins, a NaN never wins a comparison.
                    int first = 2 * j, where = first;
                    float best = image[first];
                    foreach (int candidate in new[] { first + 1, first + width, first + width + 1 })
                    {
                        if (image[candidate] > best) where = candidate;
                        best = Kernels.Larger(image[candidate], best);
                    }
                    Assert.True(BitConverter.SingleToUInt32Bits(expected[j]) == BitConverter.SingleToUInt32Bits(y[j]), $"count {count}, seed {seed}, output {j}: expected {expected[j]}, got {y[j]}");
                    Assert.True(offset + where == at[j], $"count {count}, seed {seed}, output {j}: the winner is at {offset + where}, the kernel said {at[j]}");
                }
                Assert.Equal(42f, y[count]);
                Assert.Equal(-5, at[count]);
            }
    }

    [Fact]
    public void PlainValuesGiveTheLargestOfEachWindow()
    {
        float[] top = { 1, 5, -2, -3, 0.5f, 0.25f, 9, 8, 7 };
        float[] bottom = { 4, 2, -1, -7, 0.75f, 0.125f, 6, 10, 7 };
        var y = new float[4];
        Kernels.LargestOfPairs(ref Image(top, bottom)[0], top.Length, ref y[0], 4);
        Assert.Equal(new[] { 5f, -1f, 0.75f, 10f }, y);
    }

    /// <summary>FNV-1a over the bits of both forms of LargestOfPairs (and the training form's winners) on fixed rows of 1 to 40 outputs (whole vectors and tails at every width).</summary>
    internal static string Fingerprint()
    {
        ulong hash = 14695981039346656037;
        for (int count = 1; count <= 40; count++)
        {
            var (top, bottom) = Rows(count, count);
            var y = new float[count];
            var image = Image(top, bottom);
            Kernels.LargestOfPairs(ref image[0], top.Length, ref y[0], count);
            foreach (float v in y) hash = (hash ^ BitConverter.SingleToUInt32Bits(v)) * 1099511628211;
            var at = new int[count];
            Kernels.LargestOfPairs(ref image[0], top.Length, ref y[0], ref at[0], count, 0);
            foreach (float v in y) hash = (hash ^ BitConverter.SingleToUInt32Bits(v)) * 1099511628211;
            foreach (int i in at) hash = (hash ^ (uint)i) * 1099511628211;
        }
        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }
}
