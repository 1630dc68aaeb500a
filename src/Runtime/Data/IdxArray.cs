using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace CompiledNet
{
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
}
