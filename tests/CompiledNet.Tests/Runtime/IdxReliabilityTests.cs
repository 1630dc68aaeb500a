using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>What the IDX reader detects in damaged files: every cut, every header lie, and random byte flips.</summary>
public sealed class IdxReliabilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-idxrel-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>The bytes of an IDX file, written by hand (big-endian dimensions), independently of the writer under test.</summary>
    private static byte[] Idx(byte type, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int d = 0; d < dims.Length; d++)
            for (int k = 0; k < 4; k++) bytes[4 + 4 * d + k] = (byte)(dims[d] >> (24 - 8 * k));
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    private static byte[] Gzip(byte[] plain)
    {
        var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(plain);
        return memory.ToArray();
    }

    /// <summary>A 3 × 4 × 5 image file with varied pixel values (80 bytes).</summary>
    private static byte[] SmallImages() => Idx(0x08, new[] { 3, 4, 5 }, Enumerable.Range(0, 60).Select(i => (byte)(i * 37 % 251)).ToArray());

    private string Write(string name, byte[] bytes)
    {
        File.WriteAllBytes(PathOf(name), bytes);
        return PathOf(name);
    }

    [Fact]
    public void EveryCutOfAPlainFileIsReportedAsTruncated()
    {
        var bytes = SmallImages();
        for (int length = 0; length < bytes.Length; length++)
        {
            string path = Write("cut", bytes[..length]);
            var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
            Assert.StartsWith(path + ": ", ex.Message);
            Assert.Contains("truncated", ex.Message);
        }
    }

    [Fact]
    public void EveryCutOfAGzipFileIsReportedAsTruncated()
    {
        var bytes = Gzip(SmallImages());
        for (int length = 0; length < bytes.Length; length++)
        {
            string path = Write("cut.gz", bytes[..length]);
            var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
            Assert.StartsWith(path + ": ", ex.Message);
            Assert.Contains("truncated", ex.Message);
        }
    }

    [Fact]
    public void AGzipFileMissingOnlyItsTrailerIsReportedAsTruncatedGzip()
    {
        var bytes = Gzip(SmallImages());
        string path = Write("notrailer.gz", bytes[..^8]);
        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains("the gzip file is truncated or corrupt", ex.Message);
    }

    [Fact]
    public void RandomByteFlipsOfAPlainFileAreRefusedUnlessTheyHitAValue()
    {
        // IDX has no checksum: a changed pixel cannot be detected, and is the only change that may be accepted.
        var bytes = SmallImages();
        var rng = new Random(5);
        int refused = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            var copy = (byte[])bytes.Clone();
            int at = rng.Next(copy.Length);
            copy[at] ^= (byte)rng.Next(1, 256);
            string path = Write("flip", copy);
            try
            {
                var array = IdxFile.Read(path);
                Assert.True(at >= 16, $"a flip at header byte {at} was accepted");
                Assert.Equal(new[] { 3, 4, 5 }, array.Dimensions);
                Assert.Equal(copy[16..], array.Bytes);
            }
            catch (InvalidDataException ex)
            {
                Assert.StartsWith(path + ": ", ex.Message);
                refused++;
            }
        }
        Assert.True(refused > 0);
    }

    [Fact]
    public void RandomByteFlipsOfAGzipFileAreRefusedOrChangeNothing()
    {
        // A flip in the gzip header's time stamp or OS byte changes no data; every other flip must be refused.
        var plain = SmallImages();
        var bytes = Gzip(plain);
        var rng = new Random(6);
        for (int trial = 0; trial < 2000; trial++)
        {
            var copy = (byte[])bytes.Clone();
            copy[rng.Next(copy.Length)] ^= (byte)rng.Next(1, 256);
            string path = Write("flip.gz", copy);
            try
            {
                var array = IdxFile.Read(path);
                Assert.Equal(new[] { 3, 4, 5 }, array.Dimensions);
                Assert.Equal(plain[16..], array.Bytes);
            }
            catch (InvalidDataException ex)
            {
                Assert.StartsWith(path + ": ", ex.Message);
            }
        }
    }

    [Fact]
    public void AHeaderClaimingGigabytesInATinyPlainFileIsRefusedBeforeAllocatingThem()
    {
        // 10⁹ int16 values (2 GB) declared by a 116-byte file.
        string path = Write("liar", Idx(0x0B, new[] { 1_000_000_000 }, new byte[108]));
        IdxFile.Read(Write("warmup", SmallImages())); // JIT and statics outside the measurement
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("the file is truncated: dimensions 1000000000 of int16 (2 bytes each) need 2000000000 bytes of data after the header, but the file holds 108", ex.Message);
        Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void AHeaderClaimingGigabytesInATinyGzipFileAllocatesOnlyWhatArrives()
    {
        string path = Write("liar.gz", Gzip(Idx(0x0B, new[] { 1_000_000_000 }, new byte[108])));
        IdxFile.Read(Write("warmup.gz", Gzip(SmallImages())));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("need 2000000000 bytes of data after the header, but the file holds 108", ex.Message);
        Assert.True(allocated < 4 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void ADamagedDimensionCountIsReportedWithTheMagicNumberNotAsAStrayDimension()
    {
        var bytes = SmallImages();
        bytes[3] = 7; // 3 dimensions become 7: the header swallows 16 bytes of pixels
        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(Write("rank", bytes)));
        Assert.Contains("magic number 00 00 08 07", ex.Message);
        Assert.Contains("dimension", ex.Message);
    }

    [Fact]
    public void ADamagedDimensionCountThatLeavesPositiveDimensionsIsNamedAsSuch()
    {
        // 2 × 3 bytes declared as 3 dimensions: the third "dimension" is read from the data (01 01 01 01).
        var bytes = Idx(0x08, new[] { 2, 3 }, new byte[] { 1, 1, 1, 1, 1, 1 });
        bytes[3] = 3;
        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(Write("rank", bytes)));
        Assert.Contains("its length fits 2 dimension(s) (2 × 3) exactly, as if the dimension count were wrong", ex.Message);
    }

    [Fact]
    public void ATypeByteChangedToAnotherKnownTypeIsNamedNotReportedAsShortData()
    {
        var bytes = SmallImages();
        bytes[2] = 0x0C; // unsigned bytes read as int32: four times the data
        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(Write("type", bytes)));
        Assert.Contains("as if the type byte were wrong", ex.Message);
        Assert.Contains("of int32 (4 bytes each) need 240 bytes", ex.Message);
    }

    [Fact]
    public void Crc32AgreesWithTheTrailerZlibWrites()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8)); // the check value of CRC-32/ISO-HDLC
        var data = new byte[100_003];
        new Random(11).NextBytes(data);
        var gz = Gzip(data);
        uint zlib = BitConverter.ToUInt32(gz, gz.Length - 8);
        Assert.Equal(zlib, Crc32.Compute(data));
        foreach (int split in new[] { 1, 7, 13, 4096, 99_999 })
            Assert.Equal(zlib, ~Crc32.Update(Crc32.Update(0xFFFFFFFFu, data.AsSpan(0, split)), data.AsSpan(split)));
    }
}
