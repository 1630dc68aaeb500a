using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CompiledNet.CompilerServices
{
    /// <summary>
    /// Inference of a 3×3 convolution with stride 1 followed by 2×2 max pooling with stride 2, by Winograd's minimal
    /// filtering F(2×2, 3×3) (A. Lavin and S. Gray, "Fast algorithms for convolutional neural networks", CVPR 2016).
    /// Each 2×2 block of the convolution's output — exactly one pooling window — is computed from a 4×4 patch of the
    /// input as Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A: 16 multiplications per input channel and filter where the direct form
    /// needs 36. Summed over the input channels, the 16 element-wise products become 16 matrix products
    /// (tiles × input channels by input channels × filters), run through <see cref="Gemm"/>. The largest of the four
    /// outputs of each window then gets the bias and the activation (both are monotone, so taking the largest first
    /// gives the same value as pooling the activated outputs).
    /// <para>
    /// The transformed filters G g Gᵀ depend only on the weights; <see cref="Refresh"/> keeps them, with a copy of the
    /// weights they were made from, in a cache the caller owns (one per thread in generated code), and transforms
    /// again only when the weights differ bit for bit from that copy. The results differ from the direct
    /// convolution's in the last bits (the transforms add and subtract inputs before they are multiplied): a few
    /// units in the last place of the largest input, far below what a network's accuracy can feel.
    /// </para>
    /// Public for generated code; not part of the API a user programs against.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Winograd
    {
        /// <summary>Points of the transformed 4×4 tile: one matrix product per point.</summary>
        private const int Points = 16;

        /// <summary>
        /// Floats of the cache <see cref="Refresh"/> keeps for a convolution of <paramref name="inChannels"/> →
        /// <paramref name="outChannels"/>: the weights it was made from, then the 16 transformed filter matrices in
        /// <see cref="Gemm"/>'s panels (whose width depends on the vector width of the machine).
        /// </summary>
        public static int CacheLength(int inChannels, int outChannels)
        {
            CheckChannels(inChannels, outChannels);
            return outChannels * inChannels * 9 + Points * Gemm.PackedLength(inChannels, outChannels);
        }

        /// <summary>
        /// Floats of the scratch space <see cref="ConvolveMaxPool"/> needs for one image: the image with its zero border
        /// (channels last), the pooled results, and the transformed inputs and products of one chunk of tiles.
        /// </summary>
        public static int ScratchLength(int inChannels, int outChannels, int height, int width, int padding)
        {
            CheckChannels(inChannels, outChannels);
            var (tilesDown, tilesAcross) = Tiles(height, width, padding);
            long length = (long)(2 * tilesDown + 2) * (2 * tilesAcross + 2) * inChannels + (long)tilesDown * tilesAcross * outChannels
                + (long)Points * Chunk(inChannels, outChannels) * (inChannels + outChannels);
            if (length > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "The image is too large for one buffer.");
            return (int)length;
        }

        /// <summary>
        /// Tiles transformed and multiplied together: whole blocks of <see cref="Gemm.BlockRows"/> rows, as many as keep
        /// one chunk's transformed inputs and products (16 × tiles × (in + out) floats) within about 48 KiB, the L1 cache of
        /// current cores. Working through the image chunk by chunk keeps them there, and keeps the whole call's memory
        /// small enough that a dense layer after it still finds its weights in the L2 cache.
        /// </summary>
        private static int Chunk(int inChannels, int outChannels)
            => Gemm.BlockRows * Math.Max(1, 12288 / (Points * Gemm.BlockRows * (inChannels + outChannels)));

        /// <summary>
        /// Makes <paramref name="cache"/> hold the transformed filters of <paramref name="weights"/> ([out, in, 3, 3],
        /// row-major): nothing to do when they are the weights the cache was made from (compared bit for bit), otherwise
        /// it transforms them (some 60 arithmetic operations per filter pair, each filter once) straight into
        /// <see cref="Gemm"/>'s panels and keeps a copy. A cache that was never written (all zeros) holds the transform
        /// of all-zero weights, which is correct for them.
        /// </summary>
        public static void Refresh(ReadOnlySpan<float> weights, int inChannels, int outChannels, Span<float> cache)
        {
            int length = CacheLength(inChannels, outChannels), count = outChannels * inChannels * 9;
            if (weights.Length != count) Kernels.ThrowWrongLength(nameof(weights), count, weights.Length, "outChannels × inChannels × 3 × 3");
            if (cache.Length < length) Kernels.ThrowWrongLength(nameof(cache), length, cache.Length, "at least CacheLength(inChannels, outChannels)");
            var copy = cache.Slice(0, count);
            if (MemoryMarshal.Cast<float, int>(weights).SequenceEqual(MemoryMarshal.Cast<float, int>(copy))) return;
            int packed = Gemm.PackedLength(inChannels, outChannels);
            // U = G g Gᵀ of every filter pair; point (i, j) of it is weight (c, o) of matrix 4i + j (no bias: the panels'
            // bias rows and padding columns stay zero)
            var matrices = cache.Slice(count, Points * packed);
            matrices.Clear();
            Span<float> tile = stackalloc float[Points];
            for (int o = 0; o < outChannels; o++)
                for (int c = 0; c < inChannels; c++)
                {
                    TransformFilter(weights.Slice((o * inChannels + c) * 9, 9), tile);
                    int at = Gemm.PackedIndex(inChannels, outChannels, c, o);
                    for (int point = 0; point < Points; point++) matrices[point * packed + at] = tile[point];
                }
            weights.CopyTo(copy);
        }

        /// <summary>
        /// output[o, ty, tx] = act(b[o] + the largest of the 2×2 block (2ty.., 2tx..) of the convolution of
        /// <paramref name="input"/> ([inChannels, height, width]) with filter o, zero-padded by <paramref name="padding"/>
        /// on every side), for the <see cref="Refresh"/>ed <paramref name="cache"/>; <paramref name="bias"/> empty for
        /// none. The convolution's output (height + 2·padding − 2 rows, as many columns) must have an even number of rows
        /// and columns; <paramref name="output"/> receives outChannels × half of each.
        /// </summary>
        public static void ConvolveMaxPool(ReadOnlySpan<float> cache, ReadOnlySpan<float> bias, ReadOnlySpan<float> input,
            int inChannels, int height, int width, int padding, int outChannels, GemmActivation activation, Span<float> output, Span<float> scratch)
        {
            int scratchLength = ScratchLength(inChannels, outChannels, height, width, padding), cacheLength = CacheLength(inChannels, outChannels);
            int count = outChannels * inChannels * 9, packed = Gemm.PackedLength(inChannels, outChannels);
            var (tilesDown, tilesAcross) = Tiles(height, width, padding);
            int tiles = tilesDown * tilesAcross;
            if (cache.Length < cacheLength) Kernels.ThrowWrongLength(nameof(cache), cacheLength, cache.Length, "at least CacheLength(inChannels, outChannels)");
            if (bias.Length != 0 && bias.Length != outChannels) Kernels.ThrowWrongLength(nameof(bias), outChannels, bias.Length, "outChannels, or 0 for no bias");
            if (input.Length != inChannels * height * width) Kernels.ThrowWrongLength(nameof(input), inChannels * height * width, input.Length, "inChannels × height × width");
            if (output.Length != outChannels * tiles) Kernels.ThrowWrongLength(nameof(output), outChannels * tiles, output.Length, "outChannels × the pooled rows × columns");
            if (scratch.Length < scratchLength) Kernels.ThrowWrongLength(nameof(scratch), scratchLength, scratch.Length, "at least ScratchLength(...)");
            if (activation is not (GemmActivation.Identity or GemmActivation.ReLU))
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Identity or ReLU.");

            int rows = 2 * tilesDown + 2, columns = 2 * tilesAcross + 2, chunk = Chunk(inChannels, outChannels);
            var padded = scratch.Slice(0, rows * columns * inChannels);
            var pooled = scratch.Slice(padded.Length, tiles * outChannels);
            var v = scratch.Slice(padded.Length + pooled.Length, Points * chunk * inChannels);
            var m = scratch.Slice(padded.Length + pooled.Length + v.Length, Points * chunk * outChannels);
            ChannelsLast(input, inChannels, height, width, padding, rows, columns, padded);
            ref float filters = ref Unsafe.Add(ref MemoryMarshal.GetReference(cache), count);
            for (int first = 0; first < tiles; first += chunk)
            {
                int n = Math.Min(chunk, tiles - first);
                TransformInput(padded, inChannels, columns, tilesAcross, first, n, v);
                // one product per point: the chunk's tiles × inChannels by inChannels × outChannels
                for (int point = 0; point < Points; point++)
                    Gemm.MultiplyCore(ref v[point * n * inChannels], n, inChannels, ref Unsafe.Add(ref filters, point * packed), outChannels,
                        ref m[point * n * outChannels], relu: false);
                TransformOutput(m, n, outChannels, bias, activation == GemmActivation.ReLU, pooled.Slice(first * outChannels, n * outChannels));
            }
            // pooled holds the results tile by tile ([tiles, outChannels]); the output is channel by channel
            Kernels.Transpose(pooled, tiles, outChannels, output);
        }

        private static void CheckChannels(int inChannels, int outChannels)
        {
            if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "At least one input channel.");
            if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, "At least one output channel.");
        }

        /// <summary>Rows and columns of 2×2 output blocks (pooling windows) of the padded convolution.</summary>
        private static (int Down, int Across) Tiles(int height, int width, int padding)
        {
            if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "The padding must not be negative.");
            int outHeight = height + 2 * padding - 2, outWidth = width + 2 * padding - 2;
            if (outHeight < 2 || outHeight % 2 != 0)
                throw new ArgumentOutOfRangeException(nameof(height), height, $"The convolution's output must have an even number of rows, at least 2 (here {outHeight}).");
            if (outWidth < 2 || outWidth % 2 != 0)
                throw new ArgumentOutOfRangeException(nameof(width), width, $"The convolution's output must have an even number of columns, at least 2 (here {outWidth}).");
            return (outHeight / 2, outWidth / 2);
        }

        /// <summary>U = G g Gᵀ for one 3×3 filter g, G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]: 16 values, row-major.</summary>
        private static void TransformFilter(ReadOnlySpan<float> g, Span<float> u)
        {
            Span<float> gg = stackalloc float[12]; // G g: 4 × 3
            for (int j = 0; j < 3; j++)
            {
                float g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
                gg[j] = g0;
                gg[3 + j] = 0.5f * (g0 + g1 + g2);
                gg[6 + j] = 0.5f * (g0 - g1 + g2);
                gg[9 + j] = g2;
            }
            for (int i = 0; i < 4; i++)
            {
                float a0 = gg[3 * i], a1 = gg[3 * i + 1], a2 = gg[3 * i + 2];
                u[4 * i] = a0;
                u[4 * i + 1] = 0.5f * (a0 + a1 + a2);
                u[4 * i + 2] = 0.5f * (a0 - a1 + a2);
                u[4 * i + 3] = a2;
            }
        }

        /// <summary>The image with its zero border, channels last: padded[(r·columns + q)·channels + c].</summary>
        private static void ChannelsLast(ReadOnlySpan<float> input, int channels, int height, int width, int padding, int rows, int columns, Span<float> padded)
        {
            ref float x = ref MemoryMarshal.GetReference(input);
            ref float target = ref MemoryMarshal.GetReference(padded);
            int plane = height * width;
            // image columns that land inside the padded rows (a wide padding may leave some image columns unused)
            int first = padding, last = Math.Min(width, columns - padding);
            for (int r = 0; r < rows; r++)
            {
                int y = r - padding;
                var row = padded.Slice(r * columns * channels, columns * channels);
                if ((uint)y >= (uint)height || last <= 0) { row.Clear(); continue; }
                row.Slice(0, first * channels).Clear();
                row.Slice((first + last) * channels).Clear();
                ref float source = ref Unsafe.Add(ref x, y * width);
                ref float to = ref Unsafe.Add(ref target, (r * columns + first) * channels);
                int c = 0;
                for (; c + 4 <= channels; c += 4)
                {
                    ref float s0 = ref Unsafe.Add(ref source, c * plane);
                    ref float s1 = ref Unsafe.Add(ref s0, plane);
                    ref float s2 = ref Unsafe.Add(ref s1, plane);
                    ref float s3 = ref Unsafe.Add(ref s2, plane);
                    for (int q = 0; q < last; q++)
                    {
                        ref float d = ref Unsafe.Add(ref to, q * channels + c);
                        d = Unsafe.Add(ref s0, q);
                        Unsafe.Add(ref d, 1) = Unsafe.Add(ref s1, q);
                        Unsafe.Add(ref d, 2) = Unsafe.Add(ref s2, q);
                        Unsafe.Add(ref d, 3) = Unsafe.Add(ref s3, q);
                    }
                }
                for (; c < channels; c++)
                {
                    ref float s0 = ref Unsafe.Add(ref source, c * plane);
                    for (int q = 0; q < last; q++) Unsafe.Add(ref to, q * channels + c) = Unsafe.Add(ref s0, q);
                }
            }
        }

        /// <summary>
        /// V[point, t, c] = (Bᵀ d B)[point] for the 4×4 patch d of tiles first .. first + count − 1 (t counted from first) and every channel, Bᵀ = [[1, 0, −1, 0],
        /// [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]; across the channels in vectors, then one channel at a time.
        /// </summary>
        private static void TransformInput(Span<float> padded, int channels, int columns, int tilesAcross, int first, int count, Span<float> v)
        {
            ref float pd = ref MemoryMarshal.GetReference(padded);
            ref float vv = ref MemoryMarshal.GetReference(v);
            nuint plane = (nuint)(count * channels), row = (nuint)(columns * channels), col = (nuint)channels;
            int lanes = Vector<float>.Count;
            Span<float> e = stackalloc float[16];
            for (int t = 0; t < count; t++)
            {
                int ty = (first + t) / tilesAcross, tx = first + t - ty * tilesAcross;
                ref float patch = ref Unsafe.Add(ref pd, (2 * ty * columns + 2 * tx) * channels);
                ref float vt = ref Unsafe.Add(ref vv, t * channels);
                int c = 0;
                // Vector<float> is 256 bits on x64 even where Vector512 is accelerated: 16 channels at a time there first
                if (Vector512.IsHardwareAccelerated)
                    for (; c + 16 <= channels; c += 16)
                    {
                        nuint at = (nuint)c;
                        Row(ref vt, at, plane, 0, Vector512.LoadUnsafe(ref patch, at) - Vector512.LoadUnsafe(ref patch, at + 2 * row),
                            Vector512.LoadUnsafe(ref patch, at + col) - Vector512.LoadUnsafe(ref patch, at + 2 * row + col),
                            Vector512.LoadUnsafe(ref patch, at + 2 * col) - Vector512.LoadUnsafe(ref patch, at + 2 * row + 2 * col),
                            Vector512.LoadUnsafe(ref patch, at + 3 * col) - Vector512.LoadUnsafe(ref patch, at + 2 * row + 3 * col));
                        Row(ref vt, at, plane, 1, Vector512.LoadUnsafe(ref patch, at + row) + Vector512.LoadUnsafe(ref patch, at + 2 * row),
                            Vector512.LoadUnsafe(ref patch, at + row + col) + Vector512.LoadUnsafe(ref patch, at + 2 * row + col),
                            Vector512.LoadUnsafe(ref patch, at + row + 2 * col) + Vector512.LoadUnsafe(ref patch, at + 2 * row + 2 * col),
                            Vector512.LoadUnsafe(ref patch, at + row + 3 * col) + Vector512.LoadUnsafe(ref patch, at + 2 * row + 3 * col));
                        Row(ref vt, at, plane, 2, Vector512.LoadUnsafe(ref patch, at + 2 * row) - Vector512.LoadUnsafe(ref patch, at + row),
                            Vector512.LoadUnsafe(ref patch, at + 2 * row + col) - Vector512.LoadUnsafe(ref patch, at + row + col),
                            Vector512.LoadUnsafe(ref patch, at + 2 * row + 2 * col) - Vector512.LoadUnsafe(ref patch, at + row + 2 * col),
                            Vector512.LoadUnsafe(ref patch, at + 2 * row + 3 * col) - Vector512.LoadUnsafe(ref patch, at + row + 3 * col));
                        Row(ref vt, at, plane, 3, Vector512.LoadUnsafe(ref patch, at + row) - Vector512.LoadUnsafe(ref patch, at + 3 * row),
                            Vector512.LoadUnsafe(ref patch, at + row + col) - Vector512.LoadUnsafe(ref patch, at + 3 * row + col),
                            Vector512.LoadUnsafe(ref patch, at + row + 2 * col) - Vector512.LoadUnsafe(ref patch, at + 3 * row + 2 * col),
                            Vector512.LoadUnsafe(ref patch, at + row + 3 * col) - Vector512.LoadUnsafe(ref patch, at + 3 * row + 3 * col));
                    }
                for (; c + lanes <= channels; c += lanes)
                {
                    nuint at = (nuint)c;
                    // row i of Bᵀ d (columns b = 0..3 of the patch), then its columns through B
                    Row(ref vt, at, plane, 0, Vector.LoadUnsafe(ref patch, at) - Vector.LoadUnsafe(ref patch, at + 2 * row),
                        Vector.LoadUnsafe(ref patch, at + col) - Vector.LoadUnsafe(ref patch, at + 2 * row + col),
                        Vector.LoadUnsafe(ref patch, at + 2 * col) - Vector.LoadUnsafe(ref patch, at + 2 * row + 2 * col),
                        Vector.LoadUnsafe(ref patch, at + 3 * col) - Vector.LoadUnsafe(ref patch, at + 2 * row + 3 * col));
                    Row(ref vt, at, plane, 1, Vector.LoadUnsafe(ref patch, at + row) + Vector.LoadUnsafe(ref patch, at + 2 * row),
                        Vector.LoadUnsafe(ref patch, at + row + col) + Vector.LoadUnsafe(ref patch, at + 2 * row + col),
                        Vector.LoadUnsafe(ref patch, at + row + 2 * col) + Vector.LoadUnsafe(ref patch, at + 2 * row + 2 * col),
                        Vector.LoadUnsafe(ref patch, at + row + 3 * col) + Vector.LoadUnsafe(ref patch, at + 2 * row + 3 * col));
                    Row(ref vt, at, plane, 2, Vector.LoadUnsafe(ref patch, at + 2 * row) - Vector.LoadUnsafe(ref patch, at + row),
                        Vector.LoadUnsafe(ref patch, at + 2 * row + col) - Vector.LoadUnsafe(ref patch, at + row + col),
                        Vector.LoadUnsafe(ref patch, at + 2 * row + 2 * col) - Vector.LoadUnsafe(ref patch, at + row + 2 * col),
                        Vector.LoadUnsafe(ref patch, at + 2 * row + 3 * col) - Vector.LoadUnsafe(ref patch, at + row + 3 * col));
                    Row(ref vt, at, plane, 3, Vector.LoadUnsafe(ref patch, at + row) - Vector.LoadUnsafe(ref patch, at + 3 * row),
                        Vector.LoadUnsafe(ref patch, at + row + col) - Vector.LoadUnsafe(ref patch, at + 3 * row + col),
                        Vector.LoadUnsafe(ref patch, at + row + 2 * col) - Vector.LoadUnsafe(ref patch, at + 3 * row + 2 * col),
                        Vector.LoadUnsafe(ref patch, at + row + 3 * col) - Vector.LoadUnsafe(ref patch, at + 3 * row + 3 * col));
                }
                for (; c < channels; c++)
                {
                    ref float d = ref Unsafe.Add(ref patch, c);
                    for (int b = 0; b < 4; b++)
                    {
                        nuint q = (nuint)b * col;
                        float d0 = Unsafe.Add(ref d, q), d1 = Unsafe.Add(ref d, row + q), d2 = Unsafe.Add(ref d, 2 * row + q), d3 = Unsafe.Add(ref d, 3 * row + q);
                        e[b] = d0 - d2; e[4 + b] = d1 + d2; e[8 + b] = d2 - d1; e[12 + b] = d1 - d3;
                    }
                    for (int i = 0; i < 4; i++)
                    {
                        float e0 = e[4 * i], e1 = e[4 * i + 1], e2 = e[4 * i + 2], e3 = e[4 * i + 3];
                        Unsafe.Add(ref vt, (nuint)(4 * i) * plane + (nuint)c) = e0 - e2;
                        Unsafe.Add(ref vt, (nuint)(4 * i + 1) * plane + (nuint)c) = e1 + e2;
                        Unsafe.Add(ref vt, (nuint)(4 * i + 2) * plane + (nuint)c) = e2 - e1;
                        Unsafe.Add(ref vt, (nuint)(4 * i + 3) * plane + (nuint)c) = e1 - e3;
                    }
                }
            }
        }

        /// <summary>Row i of (Bᵀ d) B from row i of Bᵀ d: points 4i .. 4i + 3.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Row(ref float vt, nuint at, nuint plane, nuint i, Vector512<float> e0, Vector512<float> e1, Vector512<float> e2, Vector512<float> e3)
        {
            (e0 - e2).StoreUnsafe(ref vt, 4 * i * plane + at);
            (e1 + e2).StoreUnsafe(ref vt, (4 * i + 1) * plane + at);
            (e2 - e1).StoreUnsafe(ref vt, (4 * i + 2) * plane + at);
            (e1 - e3).StoreUnsafe(ref vt, (4 * i + 3) * plane + at);
        }

        /// <summary>Row i of (Bᵀ d) B from row i of Bᵀ d: points 4i .. 4i + 3.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Row(ref float vt, nuint at, nuint plane, nuint i, Vector<float> e0, Vector<float> e1, Vector<float> e2, Vector<float> e3)
        {
            (e0 - e2).StoreUnsafe(ref vt, 4 * i * plane + at);
            (e1 + e2).StoreUnsafe(ref vt, (4 * i + 1) * plane + at);
            (e2 - e1).StoreUnsafe(ref vt, (4 * i + 2) * plane + at);
            (e1 - e3).StoreUnsafe(ref vt, (4 * i + 3) * plane + at);
        }

        /// <summary>
        /// Y = Aᵀ M A, Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]], for every tile and filter; the largest of the 2×2 block, plus
        /// the bias, then ReLU if asked: pooled[tile, o]. Across the filters in vectors, then one filter at a time.
        /// </summary>
        private static void TransformOutput(Span<float> m, int tiles, int filters, ReadOnlySpan<float> bias, bool relu, Span<float> pooled)
        {
            ref float mm = ref MemoryMarshal.GetReference(m);
            ref float target = ref MemoryMarshal.GetReference(pooled);
            nuint plane = (nuint)(tiles * filters);
            int lanes = Vector<float>.Count;
            for (int t = 0; t < tiles; t++)
            {
                ref float mt = ref Unsafe.Add(ref mm, t * filters);
                ref float to = ref Unsafe.Add(ref target, t * filters);
                int o = 0;
                if (Vector512.IsHardwareAccelerated)
                    for (; o + 16 <= filters; o += 16)
                    {
                        nuint q = (nuint)o;
                        var a0 = M512(ref mt, q, 0, plane) + M512(ref mt, q, 4, plane) + M512(ref mt, q, 8, plane);
                        var a1 = M512(ref mt, q, 1, plane) + M512(ref mt, q, 5, plane) + M512(ref mt, q, 9, plane);
                        var a2 = M512(ref mt, q, 2, plane) + M512(ref mt, q, 6, plane) + M512(ref mt, q, 10, plane);
                        var a3 = M512(ref mt, q, 3, plane) + M512(ref mt, q, 7, plane) + M512(ref mt, q, 11, plane);
                        var b0 = M512(ref mt, q, 4, plane) - M512(ref mt, q, 8, plane) - M512(ref mt, q, 12, plane);
                        var b1 = M512(ref mt, q, 5, plane) - M512(ref mt, q, 9, plane) - M512(ref mt, q, 13, plane);
                        var b2 = M512(ref mt, q, 6, plane) - M512(ref mt, q, 10, plane) - M512(ref mt, q, 14, plane);
                        var b3 = M512(ref mt, q, 7, plane) - M512(ref mt, q, 11, plane) - M512(ref mt, q, 15, plane);
                        var largest = Vector512.Max(Vector512.Max(Vector512.Max(a0 + a1 + a2, a1 - a2 - a3), b0 + b1 + b2), b1 - b2 - b3);
                        if (bias.Length != 0) largest += Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(bias), q);
                        if (relu) largest = Vector512.Max(largest, Vector512<float>.Zero);
                        largest.StoreUnsafe(ref to, q);
                    }
                for (; o + lanes <= filters; o += lanes)
                {
                    nuint q = (nuint)o;
                    // rows of Aᵀ M: a = M₀ + M₁ + M₂, b = M₁ − M₂ − M₃ (for each column j of M)
                    var a0 = M(ref mt, q, 0, plane) + M(ref mt, q, 4, plane) + M(ref mt, q, 8, plane);
                    var a1 = M(ref mt, q, 1, plane) + M(ref mt, q, 5, plane) + M(ref mt, q, 9, plane);
                    var a2 = M(ref mt, q, 2, plane) + M(ref mt, q, 6, plane) + M(ref mt, q, 10, plane);
                    var a3 = M(ref mt, q, 3, plane) + M(ref mt, q, 7, plane) + M(ref mt, q, 11, plane);
                    var b0 = M(ref mt, q, 4, plane) - M(ref mt, q, 8, plane) - M(ref mt, q, 12, plane);
                    var b1 = M(ref mt, q, 5, plane) - M(ref mt, q, 9, plane) - M(ref mt, q, 13, plane);
                    var b2 = M(ref mt, q, 6, plane) - M(ref mt, q, 10, plane) - M(ref mt, q, 14, plane);
                    var b3 = M(ref mt, q, 7, plane) - M(ref mt, q, 11, plane) - M(ref mt, q, 15, plane);
                    var largest = Vector.Max(Vector.Max(Vector.Max(a0 + a1 + a2, a1 - a2 - a3), b0 + b1 + b2), b1 - b2 - b3);
                    if (bias.Length != 0) largest += Vector.LoadUnsafe(ref MemoryMarshal.GetReference(bias), q);
                    if (relu) largest = Vector.Max(largest, Vector<float>.Zero);
                    largest.StoreUnsafe(ref to, q);
                }
                for (; o < filters; o++)
                {
                    nuint q = (nuint)o;
                    float a0 = S(ref mt, q, 0, plane) + S(ref mt, q, 4, plane) + S(ref mt, q, 8, plane);
                    float a1 = S(ref mt, q, 1, plane) + S(ref mt, q, 5, plane) + S(ref mt, q, 9, plane);
                    float a2 = S(ref mt, q, 2, plane) + S(ref mt, q, 6, plane) + S(ref mt, q, 10, plane);
                    float a3 = S(ref mt, q, 3, plane) + S(ref mt, q, 7, plane) + S(ref mt, q, 11, plane);
                    float b0 = S(ref mt, q, 4, plane) - S(ref mt, q, 8, plane) - S(ref mt, q, 12, plane);
                    float b1 = S(ref mt, q, 5, plane) - S(ref mt, q, 9, plane) - S(ref mt, q, 13, plane);
                    float b2 = S(ref mt, q, 6, plane) - S(ref mt, q, 10, plane) - S(ref mt, q, 14, plane);
                    float b3 = S(ref mt, q, 7, plane) - S(ref mt, q, 11, plane) - S(ref mt, q, 15, plane);
                    float largest = MathF.Max(MathF.Max(MathF.Max(a0 + a1 + a2, a1 - a2 - a3), b0 + b1 + b2), b1 - b2 - b3);
                    if (bias.Length != 0) largest += bias[o];
                    if (relu) largest = MathF.Max(largest, 0f);
                    Unsafe.Add(ref to, q) = largest;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> M(ref float m, nuint at, nuint point, nuint plane) => Vector.LoadUnsafe(ref m, at + point * plane);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> M512(ref float m, nuint at, nuint point, nuint plane) => Vector512.LoadUnsafe(ref m, at + point * plane);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float S(ref float m, nuint at, nuint point, nuint plane) => Unsafe.Add(ref m, at + point * plane);
    }
}
