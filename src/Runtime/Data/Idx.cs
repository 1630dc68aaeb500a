using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace CompiledNet
{
    /// <summary>Element type of an IDX file (the third byte of its magic number).</summary>
    public enum IdxType : byte
    {
        UnsignedByte = 0x08,
        SignedByte = 0x09,
        Int16 = 0x0B,
        Int32 = 0x0C,
        Single = 0x0D,
        Double = 0x0E,
    }

    /// <summary>
    /// The contents of an IDX file: its dimensions and its values. Values are kept as doubles only when the file
    /// holds doubles; byte data (images) stays bytes, so 47 MB of Fashion-MNIST pixels is not inflated fourfold
    /// until the caller converts it (<see cref="ToSingle"/>).
    /// </summary>
    public sealed class IdxArray
    {
        private readonly byte[]? _bytes;
        private readonly double[]? _values;

        /// <summary>Unsigned-byte data (images, labels).</summary>
        public IdxArray(int[] dimensions, byte[] data)
        {
            Dimensions = CheckedDimensions(dimensions, data.Length);
            Type = IdxType.UnsignedByte;
            _bytes = data;
        }

        /// <summary>Data of any other type, given as doubles (they are written in <paramref name="type"/>).</summary>
        public IdxArray(int[] dimensions, IdxType type, double[] data)
        {
            Dimensions = CheckedDimensions(dimensions, data.Length);
            Type = type;
            if (type == IdxType.UnsignedByte)
            {
                _bytes = new byte[data.Length];
                for (int i = 0; i < data.Length; i++) _bytes[i] = checked((byte)data[i]);
            }
            else _values = data;
        }

        private static int[] CheckedDimensions(int[] dimensions, int length)
        {
            if (dimensions.Length is < 1 or > 255) throw new ArgumentException($"An IDX array has 1 to 255 dimensions, not {dimensions.Length}.", nameof(dimensions));
            long count = 1;
            foreach (int d in dimensions)
            {
                if (d <= 0) throw new ArgumentException($"Dimension {d} is not positive.", nameof(dimensions));
                count *= d;
            }
            if (count != length) throw new ArgumentException($"The dimensions hold {count} values, but the data has {length}.", nameof(dimensions));
            return (int[])dimensions.Clone();
        }

        /// <summary>The sizes of the dimensions, outermost first (for images: count, rows, columns).</summary>
        public int[] Dimensions { get; }

        /// <summary>The element type stored in the file.</summary>
        public IdxType Type { get; }

        /// <summary>Total number of values.</summary>
        public int Length => _bytes?.Length ?? _values!.Length;

        /// <summary>The raw bytes of unsigned-byte data (no copy); null for other types.</summary>
        public byte[]? Bytes => _bytes;

        /// <summary>Value <paramref name="index"/> (flat, row-major).</summary>
        public double this[int index] => _bytes is not null ? _bytes[index] : _values![index];

        /// <summary>All values as floats, each multiplied by <paramref name="scale"/> (1/255 turns pixels into [0, 1]).</summary>
        public float[] ToSingle(float scale = 1f)
        {
            var result = new float[Length];
            if (_bytes is not null)
                for (int i = 0; i < result.Length; i++) result[i] = _bytes[i] * scale;
            else
                for (int i = 0; i < result.Length; i++) result[i] = (float)(_values![i] * scale);
            return result;
        }

        /// <summary>All values as integers (labels); throws if a value is not an integer.</summary>
        public int[] ToInt32()
        {
            var result = new int[Length];
            for (int i = 0; i < result.Length; i++)
            {
                double v = this[i];
                if (v != Math.Floor(v) || v < int.MinValue || v > int.MaxValue)
                    throw new InvalidOperationException($"Value {i} is {v}, not an integer.");
                result[i] = (int)v;
            }
            return result;
        }
    }

    /// <summary>
    /// Reads and writes IDX files (the MNIST format): two zero bytes, a type byte, the number of dimensions, each
    /// dimension as a big-endian int32, then the values big-endian. Plain or gzip-compressed, recognised by content
    /// (the gzip magic 1F 8B), not by file name. Bytes after the data are rejected: they mean the header is wrong.
    /// </summary>
    public static class IdxFile
    {
        /// <summary>Reads an IDX file. A malformed file throws <see cref="InvalidDataException"/> whose message is "PATH: the problem, with the values found".</summary>
        public static IdxArray Read(string path)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            int first = file.ReadByte(), second = file.ReadByte();
            file.Position = 0;
            bool gzip = first == 0x1F && second == 0x8B;
            using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            try
            {
                return Read(stream, path, gzip);
            }
            catch (InvalidDataException ex) when (gzip && !ex.Message.StartsWith(path + ": ", StringComparison.Ordinal))
            {
                throw Malformed(path, "the gzip stream is corrupt: " + ex.Message);
            }
        }

        private static IdxArray Read(Stream stream, string path, bool gzip)
        {
            Span<byte> magic = stackalloc byte[4];
            int got = ReadFully(stream, magic);
            if (got < 4)
                throw Malformed(path, $"the file has {got} byte(s){(gzip ? " after decompression" : "")}; an IDX header needs at least 4.");
            if (magic[0] != 0 || magic[1] != 0)
                throw Malformed(path, $"wrong magic number {magic[0]:X2} {magic[1]:X2} {magic[2]:X2} {magic[3]:X2}; an IDX file starts with 00 00, a type byte and the number of dimensions.");
            var type = (IdxType)magic[2];
            int size = type switch
            {
                IdxType.UnsignedByte or IdxType.SignedByte => 1,
                IdxType.Int16 => 2,
                IdxType.Int32 or IdxType.Single => 4,
                IdxType.Double => 8,
                _ => throw Malformed(path, $"unknown type code 0x{magic[2]:X2}; expected 08, 09, 0B, 0C, 0D or 0E."),
            };
            int rank = magic[3];
            if (rank == 0) throw Malformed(path, "the header declares 0 dimensions.");

            var header = new byte[rank * 4];
            got = ReadFully(stream, header);
            if (got < header.Length)
                throw Malformed(path, $"the header declares {rank} dimensions ({header.Length} bytes), but only {got} byte(s) follow the magic number.");
            var dimensions = new int[rank];
            long count = 1;
            for (int d = 0; d < rank; d++)
            {
                int value = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(d * 4));
                if (value <= 0) throw Malformed(path, $"dimension {d} is {value}; every dimension must be positive.");
                dimensions[d] = value;
                count *= value;
                if (count * size > Array.MaxLength)
                    throw Malformed(path, $"the dimensions {string.Join(" × ", dimensions[..(d + 1)])} describe more data than fits in memory.");
            }

            var data = new byte[count * size];
            got = ReadFully(stream, data);
            if (got < data.Length)
                throw Malformed(path, $"the file is too short: dimensions {string.Join(" × ", dimensions)} need {data.Length} bytes of data, found {got}.");
            if (stream.ReadByte() >= 0)
                throw Malformed(path, $"there are bytes after the {data.Length} bytes of data that dimensions {string.Join(" × ", dimensions)} describe.");

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

        /// <summary>The exception for a malformed file: "PATH: problem".</summary>
        private static InvalidDataException Malformed(string path, string problem) => new InvalidDataException($"{path}: {problem}");

        private static int ReadFully(Stream stream, Span<byte> buffer)
        {
            int total = 0;
            while (total < buffer.Length)
            {
                int n = stream.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
            return total;
        }

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
