using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CompiledNet.CompilerServices
{
    /// <summary>
    /// A float buffer of a generated network (parameters, gradients, optimizer state, activations, scratch) whose first
    /// element starts a 64-byte cache line. A vector load or store that straddles two cache lines costs about two on many
    /// cores (on Intel's AVX-512 cores every 64-byte vector of an unaligned buffer straddles), and .NET places an array's
    /// elements 8 or 16 bytes after a line start, not 64. Not for use outside generated code.
    /// </summary>
    /// <remarks>
    /// .NET has no aligned managed allocation, so the buffer is a pinned array 15 floats longer than asked and the
    /// buffer starts at its first element on a line. Pinned arrays never move, so the offset, computed once, holds for
    /// the buffer's lifetime; the array is an ordinary managed object (no native memory, nothing to free), and every
    /// span of the buffer keeps it alive.
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct AlignedBuffer
    {
        /// <summary>The alignment of the first element, in bytes: one cache line, one 512-bit vector.</summary>
        public const int Alignment = 64;

        private const int Slack = Alignment / sizeof(float) - 1;

        private readonly float[] _array;
        private readonly int _offset;

        private AlignedBuffer(float[] array, int offset, int length)
        {
            _array = array;
            _offset = offset;
            Length = length;
        }

        /// <summary>A zeroed buffer of <paramref name="length"/> floats, its first element 64-byte aligned.</summary>
        public static unsafe AlignedBuffer Allocate(int length)
        {
            if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "A buffer length cannot be negative.");
            var array = GC.AllocateArray<float>(checked(length + Slack), pinned: true);
            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            int offset = (int)((-address) & (Alignment - 1)) / sizeof(float);
            return new AlignedBuffer(array, offset, length);
        }

        /// <summary>The number of floats.</summary>
        public int Length { get; }

        /// <summary>The first element (64-byte aligned).</summary>
        public ref float Data
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), _offset);
        }

        /// <summary>The whole buffer.</summary>
        public Span<float> Span
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => new(_array, _offset, Length);
        }

        /// <summary><paramref name="length"/> floats from <paramref name="start"/> (bounds-checked).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Span<float> Slice(int start, int length) => Span.Slice(start, length);

        /// <summary>The element at <paramref name="index"/> (bounds-checked).</summary>
        public ref float this[int index]
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => ref Span[index];
        }

        /// <summary>The whole buffer as a span.</summary>
        public static implicit operator Span<float>(AlignedBuffer buffer) => buffer.Span;

        /// <summary>The whole buffer as a read-only span.</summary>
        public static implicit operator ReadOnlySpan<float>(AlignedBuffer buffer) => buffer.Span;
    }
}
