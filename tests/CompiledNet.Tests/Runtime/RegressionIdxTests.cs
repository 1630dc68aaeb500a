using System;
using System.IO;
using System.IO.Compression;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>
/// Regression data from IDX files (<see cref="Dataset.FromIdxRegression"/>): the files are written byte by byte here,
/// big-endian as the format defines, independently of <see cref="IdxFile.Write"/>.
/// </summary>
public sealed class RegressionIdxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-idxreg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string Write(string name, byte[] bytes)
    {
        File.WriteAllBytes(PathOf(name), bytes);
        return PathOf(name);
    }

    /// <summary>An IDX file: 00 00, the type code, the rank, each dimension as a big-endian int32, then the values big-endian.</summary>
    private static byte[] Idx(byte type, int[] dims, double[] values)
    {
        var bytes = new System.Collections.Generic.List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (int d in dims) bytes.AddRange(BigEndian((uint)d, 4));
        foreach (double v in values)
            bytes.AddRange(type switch
            {
                0x08 => new[] { (byte)v },
                0x09 => new[] { (byte)(sbyte)v },
                0x0B => BigEndian((ushort)(short)v, 2),
                0x0C => BigEndian((uint)(int)v, 4),
                0x0D => BigEndian((uint)BitConverter.SingleToInt32Bits((float)v), 4),
                _ => BigEndian((ulong)BitConverter.DoubleToInt64Bits(v), 8),
            });
        return bytes.ToArray();
    }

    private static byte[] BigEndian(ulong value, int size)
    {
        var bytes = new byte[size];
        for (int k = 0; k < size; k++) bytes[k] = (byte)(value >> (8 * (size - 1 - k)));
        return bytes;
    }

    private static byte[] Gzip(byte[] plain)
    {
        var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(plain);
        return memory.ToArray();
    }

    // Three examples of two float32 features and one float32 target each.
    private static readonly double[] ThreeByTwo = { 0.5, -1.25, 3, 4, -7.75, 1e-3 };
    private static readonly double[] ThreeTargets = { 10.5, -2, 0.125 };

    [Fact]
    public void Float32FeaturesAndTargetsAreReadAsWrittenWithoutScaling()
    {
        var data = Dataset.FromIdxRegression(
            Write("x.idx", Idx(0x0D, new[] { 3, 2 }, ThreeByTwo)),
            Write("y.idx", Idx(0x0D, new[] { 3 }, ThreeTargets)));
        Assert.True(data.IsRegression);
        Assert.Equal((3, 2, 1), (data.Count, data.FeatureSize, data.TargetSize));
        Assert.Equal(Array.ConvertAll(ThreeByTwo, v => (float)v), data.AllFeatures.ToArray());
        Assert.Equal(Array.ConvertAll(ThreeTargets, v => (float)v), data.AllTargets.ToArray());
        Assert.Equal(0, data.ImageHeight);
    }

    [Fact]
    public void UnsignedByteImagesAreScaledToUnitRangeAndKeepTheirSize()
    {
        var pixels = new double[] { 0, 51, 255, 102, 7, 8, 9, 10 };   // 2 images of 2 × 2
        var data = Dataset.FromIdxRegression(
            Write("x.idx", Idx(0x08, new[] { 2, 2, 2 }, pixels)),
            Write("y.idx", Idx(0x0D, new[] { 2, 3 }, new double[] { 1, 2, 3, -4, -5, -6 })));
        Assert.Equal(Array.ConvertAll(pixels, v => (float)v * (1f / 255)), data.AllFeatures.ToArray());
        Assert.Equal((2, 2), (data.ImageHeight, data.ImageWidth));
        Assert.Equal(3, data.TargetSize);
        Assert.Equal(new float[] { -4, -5, -6 }, data.Targets(1).ToArray());
    }

    [Fact]
    public void AGivenScaleAppliesToFeaturesOfEveryTypeButNotToTargets()
    {
        var data = Dataset.FromIdxRegression(
            Write("x.idx", Idx(0x0D, new[] { 3, 2 }, ThreeByTwo)),
            Write("y.idx", Idx(0x0D, new[] { 3 }, ThreeTargets)), scale: 0.5f);
        Assert.Equal(Array.ConvertAll(ThreeByTwo, v => (float)v * 0.5f), data.AllFeatures.ToArray());
        Assert.Equal(Array.ConvertAll(ThreeTargets, v => (float)v), data.AllTargets.ToArray());
    }

    [Theory]
    [InlineData((byte)0x08)]
    [InlineData((byte)0x09)]
    [InlineData((byte)0x0B)]
    [InlineData((byte)0x0C)]
    [InlineData((byte)0x0D)]
    [InlineData((byte)0x0E)]
    public void TargetsOfEveryIdxTypeAreReadAsFloats(byte type)
    {
        double[] targets = type == 0x08 ? new double[] { 0, 200, 17 } : new double[] { -100, 0, 127 };
        var data = Dataset.FromIdxRegression(
            Write("x.idx", Idx(0x0D, new[] { 3, 2 }, ThreeByTwo)),
            Write("y.idx", Idx(type, new[] { 3 }, targets)));
        Assert.Equal(Array.ConvertAll(targets, v => (float)v), data.AllTargets.ToArray());
    }

    [Fact]
    public void OneDimensionalFeaturesAreOneFeaturePerExample()
    {
        var data = Dataset.FromIdxRegression(
            Write("x.idx", Idx(0x0B, new[] { 3 }, new double[] { -300, 0, 300 })),
            Write("y.idx", Idx(0x0D, new[] { 3 }, ThreeTargets)));
        Assert.Equal(1, data.FeatureSize);
        Assert.Equal(new float[] { -300, 0, 300 }, data.AllFeatures.ToArray());
    }

    [Fact]
    public void GzipFilesAreReadLikePlainOnes()
    {
        var data = Dataset.FromIdxRegression(
            Write("x.idx", Gzip(Idx(0x0D, new[] { 3, 2 }, ThreeByTwo))),
            Write("y.idx", Gzip(Idx(0x0E, new[] { 3 }, ThreeTargets))));
        Assert.Equal(Array.ConvertAll(ThreeTargets, v => (float)v), data.AllTargets.ToArray());
        Assert.Equal(Array.ConvertAll(ThreeByTwo, v => (float)v), data.AllFeatures.ToArray());
    }

    private static InvalidDataException Refused(string featuresPath, string targetsPath)
        => Assert.Throws<InvalidDataException>(() => Dataset.FromIdxRegression(featuresPath, targetsPath));

    [Fact]
    public void WrongMagicNumberNamesTheFileTheBytesAndTheirOffset()
    {
        string x = Write("x.idx", new byte[] { 0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 1, 9 });
        var ex = Refused(x, Write("y.idx", Idx(0x0D, new[] { 3 }, ThreeTargets)));
        Assert.StartsWith(x + ": ", ex.Message);
        Assert.Contains("wrong magic number 50 4B 03 04 at bytes 0–3", ex.Message);
    }

    [Fact]
    public void UnknownTypeCodeNamesTheFileTheCodeAndItsOffset()
    {
        string y = Write("y.idx", new byte[] { 0, 0, 0x0A, 1, 0, 0, 0, 3, 1, 2, 3 });
        var ex = Refused(Write("x.idx", Idx(0x0D, new[] { 3, 2 }, ThreeByTwo)), y);
        Assert.StartsWith(y + ": ", ex.Message);
        Assert.Contains("unknown type code 0x0A at byte 2", ex.Message);
    }

    [Fact]
    public void DifferentExampleCountsNameBothFilesAndBothCounts()
    {
        string x = Write("x.idx", Idx(0x0D, new[] { 3, 2 }, ThreeByTwo));
        string y = Write("y.idx", Idx(0x0D, new[] { 2 }, new double[] { 1, 2 }));
        var ex = Refused(x, y);
        Assert.Contains($"{x} holds 3 examples but {y} holds 2 rows of targets", ex.Message);
        Assert.Contains("bytes 4–7", ex.Message);
    }

    [Fact]
    public void TruncatedTargetFileSaysWhereItsDataEnds()
    {
        var whole = Idx(0x0D, new[] { 3 }, ThreeTargets);   // 8 header bytes + 12 data bytes
        string y = Write("y.idx", whole[..18]);
        var ex = Refused(Write("x.idx", Idx(0x0D, new[] { 3, 2 }, ThreeByTwo)), y);
        Assert.StartsWith(y + ": the file is truncated", ex.Message);
        Assert.Contains("need 12 bytes of data after the header, but the file holds 10 (the data starts at byte 8 and ends at byte 18, not 20)", ex.Message);
    }

    [Fact]
    public void NaNTargetNamesTheFileTheExampleTheOffsetAndTheValue()
    {
        // 3 examples × 2 targets; value 3 (example 1, target 1) sits at byte 4 + 2·4 + 3·4 = 24.
        string y = Write("y.idx", Idx(0x0D, new[] { 3, 2 }, new double[] { 1, 2, 3, double.NaN, 5, 6 }));
        var ex = Refused(Write("x.idx", Idx(0x0D, new[] { 3, 2 }, ThreeByTwo)), y);
        Assert.StartsWith(y + ": value 3 (example 1, target 1) at byte 24 is NaN;", ex.Message);
    }

    [Fact]
    public void Float64TargetBeyondTheFloat32RangeIsRefusedAsNonFinite()
    {
        // Value 2 at byte 4 + 4 + 2·8 = 24.
        string y = Write("y.idx", Idx(0x0E, new[] { 3 }, new double[] { 1, 2, 1e300 }));
        var ex = Refused(Write("x.idx", Idx(0x0D, new[] { 3, 2 }, ThreeByTwo)), y);
        Assert.StartsWith(y + ": value 2 (example 2, target 0) at byte 24 is 1E+300, beyond the float32 range", ex.Message);
    }

    [Fact]
    public void InfiniteFeatureInAGzipFileNamesTheDecompressedOffset()
    {
        // Value 4 (example 2, feature 0) at byte 4 + 2·4 + 4·4 = 28 of the decompressed data.
        string x = Write("x.idx.gz", Gzip(Idx(0x0D, new[] { 3, 2 }, new double[] { 1, 2, 3, 4, double.NegativeInfinity, 6 })));
        var ex = Refused(x, Write("y.idx", Idx(0x0D, new[] { 3 }, ThreeTargets)));
        Assert.StartsWith(x + ": value 4 (example 2, feature 0) at byte 28 of the decompressed data is -Infinity;", ex.Message);
    }

    [Fact]
    public void TargetFileOfThreeDimensionsIsRefused()
    {
        string y = Write("y.idx", Idx(0x08, new[] { 3, 1, 2 }, new double[] { 1, 2, 3, 4, 5, 6 }));
        var ex = Refused(Write("x.idx", Idx(0x0D, new[] { 3, 2 }, ThreeByTwo)), y);
        Assert.StartsWith(y + ": expected 1 dimension (one target per example) or 2 (examples × targets), found 3 (3 × 1 × 2)", ex.Message);
    }

    [Fact]
    public void ZeroScaleIsRefused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromIdxRegression(
            Write("x.idx", Idx(0x0D, new[] { 3, 2 }, ThreeByTwo)), Write("y.idx", Idx(0x0D, new[] { 3 }, ThreeTargets)), scale: 0f));
        Assert.Equal("scale", ex.ParamName);
    }
}
