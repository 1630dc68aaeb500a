using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace CompiledNet
{
    /// <summary>
    /// Reads and writes IDX files (the MNIST format): two zero bytes, a type byte, the number of dimensions, each
    /// dimension as a big-endian int32, then the values big-endian. Plain or gzip-compressed, recognised by content
    /// (the gzip magic 1F 8B), not by file name. Bytes after the data are rejected: they mean the header is wrong.
    /// </summary>
    public static class IdxFile
    {
        /// <summary>
        /// Reads an IDX file. A malformed file throws <see cref="InvalidDataException"/> whose message is "PATH: the
        /// problem, with the values found". Every size the header declares is checked against what the file holds, in
        /// 64-bit arithmetic, before memory proportional to it is allocated: a plain file must hold exactly the bytes its
        /// header describes (a shorter one is reported as truncated); a gzip file is allocated at once only when its header
        /// agrees with the length in its trailer and with deflate's largest expansion (1032:1), and otherwise read in
        /// growing chunks (never more than twice the data it really holds); its CRC-32 and length trailer is verified,
        /// so a cut anywhere is reported.
        /// </summary>
        public static IdxArray Read(string path) => Read(path, out _);

        /// <summary>As <see cref="Read(string)"/>, and tells whether the file was gzip (byte offsets then count decompressed bytes).</summary>
        internal static IdxArray Read(string path, out bool gzip)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            using var stream = DataFiles.Open(path, out gzip, out long fileLength);
            return Read(stream, path, gzip, fileLength);
        }

        /// <summary>The byte offset of value <paramref name="index"/> (flat) in an IDX file of <paramref name="array"/>'s type and rank.</summary>
        internal static long OffsetOf(IdxArray array, long index) => 4 + 4L * array.Dimensions.Length + index * SizeOf(array.Type);

        internal static int SizeOf(IdxType type) => type switch
        {
            IdxType.UnsignedByte or IdxType.SignedByte => 1,
            IdxType.Int16 => 2,
            IdxType.Int32 or IdxType.Single => 4,
            IdxType.Double => 8,
            _ => 0,
        };

        private static string Describe(IdxType type) => type switch
        {
            IdxType.UnsignedByte => "unsigned bytes (1 byte each)",
            IdxType.SignedByte => "signed bytes (1 byte each)",
            IdxType.Int16 => "int16 (2 bytes each)",
            IdxType.Int32 => "int32 (4 bytes each)",
            IdxType.Single => "float32 (4 bytes each)",
            _ => "float64 (8 bytes each)",
        };

        private static IdxArray Read(Stream stream, string path, bool gzip, long fileLength)
        {
            Span<byte> magic = stackalloc byte[4];
            int got = ReadFully(stream, magic);
            if (got < 4)
            {
                // A start of "00 00" (IDX) or of "1F" (a gzip file cut after its first byte) is a cut file.
                bool prefix = got <= 2 ? magic[..got].IndexOfAnyExcept((byte)0) < 0 || (got == 1 && magic[0] == 0x1F) : magic[0] == 0 && magic[1] == 0;
                throw Malformed(path, prefix
                    ? $"the file is truncated: it has {got} byte(s){(gzip ? " after decompression" : "")}; an IDX header needs at least 4."
                    : $"not an IDX file: it has {got} byte(s){(gzip ? " after decompression" : "")}, starting {Hex(magic[..got])}.");
            }
            string magicText = Hex(magic);
            if (magic[0] != 0 || magic[1] != 0)
                throw Malformed(path, $"not an IDX file: wrong magic number {magicText} at bytes 0–3; an IDX file starts with 00 00, a type byte and the number of dimensions.");
            var type = (IdxType)magic[2];
            int size = SizeOf(type);
            if (size == 0) throw Malformed(path, $"unknown type code 0x{magic[2]:X2} at byte 2 (the magic number is {magicText}); expected 08, 09, 0B, 0C, 0D or 0E.");
            int rank = magic[3];
            if (rank == 0) throw Malformed(path, $"the magic number {magicText} declares 0 dimensions.");

            var header = new byte[rank * 4];
            got = ReadFully(stream, header);
            if (got < header.Length)
                throw Malformed(path, $"the file is truncated inside its header: the magic number {magicText} declares {rank} dimension(s) ({header.Length} bytes), but only {got} byte(s) follow it.");
            var dimensions = new int[rank];
            long count = 1;
            for (int d = 0; d < rank; d++)
            {
                int value = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(d * 4));
                if (value <= 0)
                    throw Malformed(path, $"the header is corrupt: dimension {d + 1} of the {rank} that the magic number {magicText} declares (bytes {4 + 4 * d}–{7 + 4 * d}) is {value}; every dimension must be positive.");
                dimensions[d] = value;
                count *= value; // ≤ Array.MaxLength × int.MaxValue after the check below: no 64-bit overflow
                if (count * size > Array.MaxLength)
                    throw Malformed(path, $"the dimensions {string.Join(" × ", dimensions[..(d + 1)])} of {Describe(type)} describe more data ({count * size} bytes or more) than one array holds.");
            }
            long dataBytes = count * size;
            long headerBytes = 4 + header.Length;
            string shape = string.Join(" × ", dimensions);

            byte[] data;
            if (!gzip)
            {
                // The file's length is known: every inconsistency is found before the data is allocated.
                long available = fileLength - headerBytes;
                if (available != dataBytes)
                {
                    // A damaged dimension count makes the header swallow data bytes (or leave header bytes as data):
                    // if fewer dimensions agree with the file's length exactly, say so rather than "truncated".
                    long prefixCount = 1;
                    for (int r = 1; r < rank; r++)
                    {
                        prefixCount *= dimensions[r - 1];
                        if (fileLength - 4 - 4L * r == prefixCount * size)
                            throw Malformed(path, $"{(available < dataBytes ? "the file is truncated, or its header is corrupt" : "the header is corrupt")}: the magic number {magicText} declares {rank} dimensions ({shape}), " +
                                $"which need {dataBytes} bytes of data, but the file holds {Math.Max(0, available)}; its length fits {r} dimension(s) ({string.Join(" × ", dimensions[..r])}) exactly, as if the dimension count were wrong.");
                    }
                    throw SizeMismatch(path, type, shape, count, headerBytes, dataBytes, available, gzip, truncatedByDefault: true);
                }
                data = new byte[dataBytes];
                got = ReadFully(stream, data);
                if (got < data.Length) throw Malformed(path, $"the file is truncated: it ended while being read, after {headerBytes + got} bytes.");
            }
            else
            {
                // Deflate expands at most 1032-fold: a header within that bound whose size agrees with the trailer's
                // length is allocated at once; anything else grows with the data that really arrives.
                var verified = (VerifiedGzipStream)stream;
                bool plausible = dataBytes <= 1032 * fileLength && (uint)(headerBytes + dataBytes) == verified.TrailerLength;
                data = plausible ? new byte[dataBytes] : ReadGrowing(stream, dataBytes);
                if (plausible && (got = ReadFully(stream, data)) < data.Length) data = data[..got];
                if (data.Length < dataBytes) throw SizeMismatch(path, type, shape, count, headerBytes, dataBytes, data.Length, gzip, truncatedByDefault: false);
            }
            if (stream.ReadByte() >= 0)
            {
                long extra = 1;
                var scratch = new byte[1 << 16];
                for (int n; (n = stream.Read(scratch)) > 0;) extra += n;
                throw SizeMismatch(path, type, shape, count, headerBytes, dataBytes, dataBytes + extra, gzip, truncatedByDefault: false);
            }

            if (type == IdxType.UnsignedByte) return new IdxArray(dimensions, data);
            var values = new double[count];
            for (int i = 0; i < values.Length; i++)
            {
                var span = data.AsSpan(i * size, size);
                values[i] = type switch
                {
                    IdxType.SignedByte => (sbyte)span[0],
                    IdxType.Int16 => BinaryPrimitives.ReadInt16BigEndian(span),
                    IdxType.Int32 => BinaryPrimitives.ReadInt32BigEndian(span),
                    IdxType.Single => BinaryPrimitives.ReadSingleBigEndian(span),
                    _ => BinaryPrimitives.ReadDoubleBigEndian(span),
                };
            }
            return new IdxArray(dimensions, type, values);
        }

        /// <summary>
        /// The header and the data disagree on the size: say by how much, and whether the bytes present would fit the
        /// dimensions with another element size (then the type byte, not the length, is the likely damage).
        /// </summary>
        private static InvalidDataException SizeMismatch(string path, IdxType type, string shape, long count, long headerBytes, long needed, long available, bool gzip, bool truncatedByDefault)
        {
            string of = gzip ? " of the decompressed data" : "";
            string hint = "";
            foreach (var other in new[] { IdxType.UnsignedByte, IdxType.Int16, IdxType.Int32, IdxType.Double })
                if (SizeOf(other) != SizeOf(type) && count * SizeOf(other) == available)
                    hint = $" The data present is exactly the size of {shape} values of {SizeOf(other)} byte(s) each, as if the type byte were wrong.";
            if (available < needed)
                return Malformed(path, $"{(truncatedByDefault ? (hint.Length == 0 ? "the file is truncated: " : "the file is truncated, or its header is corrupt: ") : "")}dimensions {shape} of {Describe(type)} need {needed} bytes of data after the header, but the file holds {Math.Max(0, available)} " +
                    $"(the data starts at byte {headerBytes}{of} and ends at byte {headerBytes + Math.Max(0, available)}, not {headerBytes + needed}).{hint}");
            return Malformed(path, $"there are {available - needed} bytes after the {needed} bytes of data that dimensions {shape} of {Describe(type)} describe " +
                $"(from byte {headerBytes + needed}{of}).{hint}");
        }

        /// <summary>Reads up to <paramref name="expected"/> bytes into an array that grows as data arrives, so a header that lies allocates no more than twice what the file holds.</summary>
        private static byte[] ReadGrowing(Stream stream, long expected)
        {
            var buffer = new byte[Math.Min(expected, 1 << 20)];
            int total = 0;
            while (true)
            {
                total += ReadFully(stream, buffer.AsSpan(total));
                if (total < buffer.Length || buffer.Length == expected) break;
                Array.Resize(ref buffer, (int)Math.Min(expected, 2L * buffer.Length));
            }
            if (total < buffer.Length) Array.Resize(ref buffer, total);
            return buffer;
        }

        private static string Hex(ReadOnlySpan<byte> bytes)
        {
            var parts = new string[bytes.Length];
            for (int i = 0; i < bytes.Length; i++) parts[i] = bytes[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture);
            return string.Join(" ", parts);
        }

        /// <summary>The exception for a malformed file: "PATH: problem".</summary>
        private static InvalidDataException Malformed(string path, string problem) => new InvalidDataException($"{path}: {problem}");

        private static int ReadFully(Stream stream, Span<byte> buffer) => stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

        /// <summary>Writes <paramref name="array"/> as an IDX file, gzip-compressed when <paramref name="gzip"/> is true.</summary>
        public static void Write(string path, IdxArray array, bool gzip = false)
        {
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
            stream.Write(new byte[] { 0, 0, (byte)array.Type, (byte)array.Dimensions.Length });
            Span<byte> buffer = stackalloc byte[8];
            foreach (int d in array.Dimensions)
            {
                BinaryPrimitives.WriteInt32BigEndian(buffer, d);
                stream.Write(buffer[..4]);
            }
            if (array.Bytes is not null)
            {
                stream.Write(array.Bytes);
                return;
            }
            for (int i = 0; i < array.Length; i++)
            {
                double v = array[i];
                switch (array.Type)
                {
                    case IdxType.SignedByte: buffer[0] = (byte)checked((sbyte)v); stream.Write(buffer[..1]); break;
                    case IdxType.Int16: BinaryPrimitives.WriteInt16BigEndian(buffer, checked((short)v)); stream.Write(buffer[..2]); break;
                    case IdxType.Int32: BinaryPrimitives.WriteInt32BigEndian(buffer, checked((int)v)); stream.Write(buffer[..4]); break;
                    case IdxType.Single: BinaryPrimitives.WriteSingleBigEndian(buffer, (float)v); stream.Write(buffer[..4]); break;
                    default: BinaryPrimitives.WriteDoubleBigEndian(buffer, v); stream.Write(buffer[..8]); break;
                }
            }
        }
    }
}
