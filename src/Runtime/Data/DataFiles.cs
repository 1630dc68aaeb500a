using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace CompiledNet
{
    /// <summary>
    /// Opens a data file, plain or gzip (recognised by its first two bytes, 1F 8B, not by its name). A gzip file is
    /// read through <see cref="VerifiedGzipStream"/>, which checks at the end that the data decompressed agrees with
    /// the 8-byte gzip trailer (CRC-32 and length): .NET's <see cref="GZipStream"/> checks a trailer that is there but
    /// reports a missing one (a truncated file) as a normal end of data.
    /// </summary>
    internal static class DataFiles
    {
        public static Stream Open(string path, out bool gzip, out long fileLength)
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            try
            {
                fileLength = file.Length;
                int first = file.ReadByte(), second = file.ReadByte();
                file.Position = 0;
                gzip = first == 0x1F && second == 0x8B;
                return gzip ? new VerifiedGzipStream(file, path) : file;
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Decompresses a gzip file and, when the decompressed data ends, checks the file's last 8 bytes: the CRC-32 and
    /// the length (mod 2³²) of all the data read (RFC 1952, section 2.3). A file cut anywhere, or with bytes after the
    /// trailer, fails the check (a cut file's last 8 bytes are compressed data, not its trailer) except with
    /// probability about 2⁻⁶⁴. A file of several gzip members joined together fails it too: only the last member's
    /// trailer is at the end, and the message says so.
    /// </summary>
    internal sealed class VerifiedGzipStream : Stream
    {
        /// <summary>10-byte header, at least 2 bytes of deflate data (an empty final block), 8-byte trailer.</summary>
        private const int SmallestGzip = 20;

        private readonly FileStream _file;
        private readonly GZipStream _gzip;
        private readonly string _path;
        private readonly uint _trailerCrc, _trailerLength;
        private readonly bool _tooShort;
        private uint _crc = 0xFFFFFFFFu;
        private long _length;
        private bool _verified;

        public VerifiedGzipStream(FileStream file, string path)
        {
            _file = file;
            _path = path;
            long length = file.Length;
            if (length < SmallestGzip) _tooShort = true;
            else
            {
                Span<byte> trailer = stackalloc byte[8];
                file.Position = length - 8;
                file.ReadExactly(trailer);
                file.Position = 0;
                _trailerCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
                _trailerLength = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
            }
            _gzip = new GZipStream(file, CompressionMode.Decompress);
        }

        /// <summary>The length (mod 2³²) the trailer at the end of the file claims for the decompressed data; meaningless if the file is cut.</summary>
        public uint TrailerLength => _trailerLength;

        public override int Read(Span<byte> buffer)
        {
            int n;
            try
            {
                n = _gzip.Read(buffer);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{_path}: the gzip data is corrupt after {_length} decompressed bytes ({ex.Message}).", ex);
            }
            if (n > 0)
            {
                _crc = Crc32.Update(_crc, buffer[..n]);
                _length += n;
            }
            else if (buffer.Length > 0 && !_verified) Verify();
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int ReadByte()
        {
            Span<byte> one = stackalloc byte[1];
            return Read(one) == 1 ? one[0] : -1;
        }

        private void Verify()
        {
            _verified = true;
            if (_tooShort)
                throw new InvalidDataException($"{_path}: the gzip file is truncated: it has {_file.Length} bytes; the smallest complete gzip file has {SmallestGzip}.");
            uint crc = ~_crc;
            if (crc != _trailerCrc || (uint)_length != _trailerLength)
                throw new InvalidDataException(
                    $"{_path}: the gzip file is truncated or corrupt: its {_length} decompressed bytes have CRC-32 {crc:X8}, but its last 8 bytes " +
                    $"are not their trailer (they read CRC-32 {_trailerCrc:X8}, length {_trailerLength}). A file of several gzip members " +
                    "joined together also ends this way; this reader accepts one member only (recompress such a file).");
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _gzip.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// CRC-32 of ISO 3309 / ITU-T V.42 (the polynomial gzip uses, reflected 0xEDB88320), table-driven, eight bytes
    /// per step ("slicing-by-8", several times faster than a byte at a time, which would add more than half to the
    /// time of reading a gzip file). Written here rather than taken from the System.IO.Hashing package so that the
    /// runtime keeps no package dependency; the tests check it against the CRC-32 zlib writes into gzip trailers.
    /// </summary>
    internal static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        /// <summary>Eight tables of 256: table k gives the CRC of a byte followed by k zero bytes.</summary>
        private static uint[] BuildTable()
        {
            var table = new uint[8 * 256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                table[i] = c;
            }
            for (int i = 0; i < 256; i++)
                for (int k = 1; k < 8; k++)
                    table[k * 256 + i] = (table[(k - 1) * 256 + i] >> 8) ^ table[table[(k - 1) * 256 + i] & 0xFF];
            return table;
        }

        /// <summary>Continues a CRC register (start at 0xFFFFFFFF; the CRC is the complement of the final register).</summary>
        public static uint Update(uint register, ReadOnlySpan<byte> data)
        {
            var t = Table.AsSpan();
            while (data.Length >= 8)
            {
                uint low = register ^ BinaryPrimitives.ReadUInt32LittleEndian(data);
                uint high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
                register = t[7 * 256 + (int)(low & 0xFF)] ^ t[6 * 256 + (int)((low >> 8) & 0xFF)]
                         ^ t[5 * 256 + (int)((low >> 16) & 0xFF)] ^ t[4 * 256 + (int)(low >> 24)]
                         ^ t[3 * 256 + (int)(high & 0xFF)] ^ t[2 * 256 + (int)((high >> 8) & 0xFF)]
                         ^ t[1 * 256 + (int)((high >> 16) & 0xFF)] ^ t[(int)(high >> 24)];
                data = data[8..];
            }
            foreach (byte b in data) register = t[(int)((register ^ b) & 0xFF)] ^ (register >> 8);
            return register;
        }

        /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
        public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data);
    }
}
