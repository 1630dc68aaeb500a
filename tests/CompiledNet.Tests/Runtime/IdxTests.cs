using System;
using System.IO;
using System.IO.Compression;
using Xunit;

namespace CompiledNet.Tests.Runtime;

public sealed class IdxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>Writes the bytes of an IDX file by hand, independently of the writer under test.</summary>
    private static byte[] Header(byte type, params int[] dims)
    {
        var bytes = new byte[4 + 4 * dims.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int d = 0; d < dims.Length; d++)
        {
            bytes[4 + 4 * d] = (byte)(dims[d] >> 24);
            bytes[5 + 4 * d] = (byte)(dims[d] >> 16);
            bytes[6 + 4 * d] = (byte)(dims[d] >> 8);
            bytes[7 + 4 * d] = (byte)dims[d];
        }
        return bytes;
    }

    private string WriteRaw(string name, params byte[][] parts)
    {
        using var file = File.Create(PathOf(name));
        foreach (var part in parts) file.Write(part);
        return PathOf(name);
    }

    [Fact]
    public void ReadsAHandWrittenUnsignedByteFile()
    {
        string path = WriteRaw("images", Header(0x08, 2, 2, 3), new byte[] { 0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255 });
        var array = IdxFile.Read(path);
        Assert.Equal(new[] { 2, 2, 3 }, array.Dimensions);
        Assert.Equal(IdxType.UnsignedByte, array.Type);
        Assert.Equal(255.0, array[11]);
        Assert.Equal(1f, array.ToSingle(1f / 255)[11]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UnsignedByteRoundTrip(bool gzip)
    {
        var data = new byte[5 * 4 * 3];
        new Random(1).NextBytes(data);
        IdxFile.Write(PathOf("a.idx"), new IdxArray(new[] { 5, 4, 3 }, data), gzip);
        var back = IdxFile.Read(PathOf("a.idx"));
        Assert.Equal(new[] { 5, 4, 3 }, back.Dimensions);
        Assert.Equal(data, back.Bytes);
    }

    [Theory]
    [InlineData(IdxType.SignedByte, false)]
    [InlineData(IdxType.Int16, true)]
    [InlineData(IdxType.Int32, false)]
    [InlineData(IdxType.Single, true)]
    [InlineData(IdxType.Double, false)]
    public void OtherTypesRoundTrip(IdxType type, bool gzip)
    {
        var values = new double[] { -3, 0, 7, 100, -128, 127 };
        IdxFile.Write(PathOf("v.idx"), new IdxArray(new[] { 2, 3 }, type, values), gzip);
        var back = IdxFile.Read(PathOf("v.idx"));
        Assert.Equal(type, back.Type);
        for (int i = 0; i < values.Length; i++) Assert.Equal(values[i], back[i]);
    }

    [Fact]
    public void GzipIsRecognisedByContentNotByName()
    {
        string path = PathOf("looks-plain.idx");
        using (var file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        {
            gz.Write(Header(0x08, 3));
            gz.Write(new byte[] { 7, 8, 9 });
        }
        Assert.Equal(9.0, IdxFile.Read(path)[2]);
    }

    private void AssertMalformed(string path, string problem)
    {
        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void WrongMagicNumberShowsTheBytesFound()
        => AssertMalformed(WriteRaw("bad", new byte[] { 0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0 }), "wrong magic number 50 4B 03 04");

    [Fact]
    public void UnknownTypeCodeIsNamed()
        => AssertMalformed(WriteRaw("bad", new byte[] { 0, 0, 0x07, 1, 0, 0, 0, 1, 5 }), "unknown type code 0x07");

    [Fact]
    public void ZeroDimensionsAreRejected()
        => AssertMalformed(WriteRaw("bad", new byte[] { 0, 0, 0x08, 0 }), "declares 0 dimensions");

    [Fact]
    public void NonPositiveDimensionIsRejected()
        => AssertMalformed(WriteRaw("bad", Header(0x08, 3, 0)), "dimension 2 of the 2 that the magic number 00 00 08 02 declares (bytes 8–11) is 0");

    [Fact]
    public void ImpossiblySizedDimensionsAreRejected()
        => AssertMalformed(WriteRaw("bad", Header(0x0E, 100000, 100000, 100000)), "than one array holds");

    [Fact]
    public void TruncatedHeaderIsRejected()
        => AssertMalformed(WriteRaw("bad", new byte[] { 0, 0, 0x08, 3, 0, 0, 0, 2, 0 }), "only 5 byte(s) follow");

    [Fact]
    public void ShortDataSaysHowManyBytesWereExpectedAndFound()
        => AssertMalformed(WriteRaw("bad", Header(0x08, 10, 28, 28), new byte[100]), "the file is truncated: dimensions 10 × 28 × 28 of unsigned bytes (1 byte each) need 7840 bytes of data after the header, but the file holds 100");

    [Fact]
    public void ShortGzipDataIsRejectedToo()
    {
        string path = PathOf("short.gz");
        using (var file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        {
            gz.Write(Header(0x08, 4));
            gz.Write(new byte[] { 1, 2 });
        }
        AssertMalformed(path, "dimensions 4 of unsigned bytes (1 byte each) need 4 bytes of data after the header, but the file holds 2");
    }

    [Fact]
    public void TrailingBytesAreRejected()
        => AssertMalformed(WriteRaw("bad", Header(0x08, 2), new byte[] { 1, 2, 3 }), "bytes after the 2 bytes of data");

    [Fact]
    public void EmptyFileIsRejected()
        => AssertMalformed(WriteRaw("empty"), "the file is truncated: it has 0 byte(s)");
}
